import type { CommandContext } from '../handle.js';
import { markCertificateOff, type DeactivateCertificateOutcome } from './deactivate-certificate.js';
import type { LifecycleDeps, MarkInput } from './lifecycle.js';

/** Permanent and deactivating; the seed rule does not hold back a revoked certificate. */
export const markCertificateRevoked = (
  deps: LifecycleDeps,
  certificateId: string,
  mark: MarkInput,
  context: CommandContext = {},
): Promise<DeactivateCertificateOutcome> => markCertificateOff('MarkCertificateRevoked', deps, certificateId, mark, context);
