import { caChainDecider } from '../../domain/ca-chain/decider.js';
import { streams } from '../../domain/shared/ids.js';
import { ids } from '../../infra/ids.js';
import type { ParsedCertificate } from '../../infra/x509/certificate.js';
import { importCaCertificate, type CaImportDeps, type CaOrigin } from '../ca-certificate/import-ca-certificate.js';
import { handleCommand, type CommandContext } from '../handle.js';

export type ImportCaChainResult = {
  caChainId: string;
  /** Issuer of the leaf first. */
  caCertificateIds: string[];
  /** false when this exact chain (same certificates, same order) was known already. */
  created: boolean;
  /** Newest global position written or read: wait for it to read your writes. */
  position: bigint;
};

export const maxPosition = (positions: readonly (bigint | null)[]): bigint =>
  positions.reduce<bigint>((max, p) => (p !== null && p > max ? p : max), 0n);

/**
 * Each CA certificate first, then the chain naming them (the projection refuses a chain whose
 * certificates it has not seen). Every step is idempotent, so a retry after a crash completes it.
 * The caller has checked that each element signs the one before it.
 */
export async function importCaChain(
  deps: CaImportDeps,
  chain: readonly ParsedCertificate[],
  origin: CaOrigin,
  context: CommandContext = {},
): Promise<ImportCaChainResult> {
  const positions: (bigint | null)[] = [];
  const caCertificateIds: string[] = [];
  for (const ca of chain) {
    const imported = await importCaCertificate(deps, ca, origin, context);
    caCertificateIds.push(imported.caCertificateId);
    positions.push(imported.position);
  }
  const caChainId = ids.caChain(chain.map((c) => c.fingerprintSha256));
  const handled = await handleCommand(deps.store, streams.caChain(caChainId), caChainDecider, {
    type: 'ImportCaChain', caChainId, caCertificateIds, now: deps.now().toISOString(),
  }, context, { retries: 3 });
  positions.push(handled.position);
  return { caChainId, caCertificateIds, created: handled.events.length > 0, position: maxPosition(positions) };
}
