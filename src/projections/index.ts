import { caCertificatesProjection } from './ca-certificates.projection.js';
import { certificatesProjection } from './certificates.projection.js';
import { privateKeysProjection } from './private-keys.projection.js';
import type { Projection } from './projection.js';

export type { Projection } from './projection.js';
export { createProjectionSet, ProjectionTimeoutError, type ProjectionSet, type ProjectionStatus, type ProjectionLogger, type WaitForOptions } from './runner.js';
export { updateAllRecents, updateRecents } from './recents.js';

/** The catalogue's read models (keys, CA certificates and chains, certificates and domains). */
export const catalogProjections: Projection[] = [privateKeysProjection, caCertificatesProjection, certificatesProjection];
