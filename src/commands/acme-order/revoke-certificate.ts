/**
 * Revocation at the CA (RFC 8555 §7.6), signed by the account key (`kid`) or by the
 * certificate's own key (`jwk`, the key from the vault), with a CRL reason code (RFC 5280
 * §5.3.1). Recorded on the order that issued the certificate, else on the certificate's
 * revocation stream; then the catalog marks the certificate revoked (which also takes it out of
 * the domains' recents). `alreadyRevoked` counts as done.
 */
import { createPrivateKey } from 'node:crypto';
import type { StepFact } from '../../domain/acme-order/commands.js';
import { acmeRevocationDecider } from '../../domain/acme-order/revocation.js';
import { NotFoundError, ValidationError } from '../../domain/shared/errors.js';
import { acmeOrderStreams } from '../../domain/shared/ids.js';
import { AcmeProblem, AcmeTransportError, createAcmeSigner, type AcmeSigner, type AcmeTransport } from '../../infra/acme/index.js';
import { splitPemBlocks } from '../../infra/x509/pem.js';
import { loadAcmeAccount } from '../acme-account/load.js';
import { acmeStep } from '../acme/exchange-collector.js';
import type { DeactivateCertificateOutcome } from '../certificate/deactivate-certificate.js';
import { markCertificateRevoked } from '../certificate/mark-certificate-revoked.js';
import { handleCommand, type CommandContext } from '../handle.js';
import type { AcmeOrderDeps } from './deps.js';
import { failureFacts, runOrderStep } from './order-stream.js';

/** RFC 5280 §5.3.1 CRLReason (7 is unused). */
export const REVOCATION_REASONS: Readonly<Record<number, string>> = {
  0: 'unspecified', 1: 'keyCompromise', 2: 'cACompromise', 3: 'affiliationChanged', 4: 'superseded',
  5: 'cessationOfOperation', 6: 'certificateHold', 8: 'removeFromCRL', 9: 'privilegeWithdrawn', 10: 'aACompromise',
};

export type RevokeInput = {
  reasonCode: number;
  signWith: 'account' | 'certificate_key';
  /** Default: the account of the order that issued the certificate. */
  accountId?: string;
  /** Default: the account's server (or the issuing order's). */
  acmeServerId?: string;
  actor: string;
};

export type RevokeOutcome = DeactivateCertificateOutcome & { orderId: string | null; alreadyRevoked: boolean };

async function signerAndTransport(deps: AcmeOrderDeps, input: RevokeInput, accountId: string | undefined, acmeServerId: string, privateKeyId: string): Promise<{ signer: AcmeSigner; transport: AcmeTransport }> {
  if (input.signWith === 'account') {
    const session = await deps.acme.open(accountId!);
    return { signer: session.signer, transport: session.transport };
  }
  // §7.6: signed with the certificate's key, the JWS carries `jwk` (no account involved).
  const key = createPrivateKey({ key: await deps.vault.get(privateKeyId), format: 'der', type: 'pkcs8' });
  return { signer: await createAcmeSigner(key), transport: await deps.acme.transportFor(acmeServerId) };
}

export async function revokeCertificate(deps: AcmeOrderDeps, certificateId: string, input: RevokeInput, context: CommandContext = {}): Promise<RevokeOutcome> {
  const reason = REVOCATION_REASONS[input.reasonCode];
  if (reason === undefined) throw new ValidationError({ reason_code: 'must be an RFC 5280 CRLReason: 0–6 or 8–10' });
  const certificate = await deps.db.selectFrom('certificates').select(['pem', 'private_key_id']).where('id', '=', certificateId).executeTakeFirst();
  if (!certificate) throw new NotFoundError(`certificate ${certificateId} not found`);
  const order = await deps.db.selectFrom('acme_orders').select(['id', 'acme_account_id', 'acme_server_id'])
    .where('certificate_id', '=', certificateId).orderBy('created_at', 'desc').executeTakeFirst();
  const accountId = input.accountId ?? order?.acme_account_id;
  if (input.signWith === 'account' && accountId === undefined) {
    throw new ValidationError({ account_id: 'no order of ours issued this certificate: name the ACME account to revoke it with' });
  }
  const acmeServerId = input.acmeServerId ?? (accountId === undefined ? order?.acme_server_id : (await loadAcmeAccount(deps.store, accountId)).acmeServerId);
  if (acmeServerId === undefined) throw new ValidationError({ acme_server_id: 'no order of ours issued this certificate: name the ACME server' });
  const { signer, transport } = await signerAndTransport(deps, input, accountId, acmeServerId, certificate.private_key_id);
  const der = splitPemBlocks(certificate.pem)[0]!.der;
  const signedWith = input.signWith === 'account' ? 'account' as const : 'certificateKey' as const;

  let alreadyRevoked = false;
  const work = async (): Promise<{ value: undefined; facts: StepFact[] }> => {
    const { revokeCert } = await transport.directory();
    if (revokeCert === undefined) throw new AcmeTransportError('protocol', 'GET', transport.directoryUrl, 'the directory has no revokeCert (RFC 8555 §7.1.1)');
    try {
      await transport.post(revokeCert, { certificate: der.toString('base64url'), reason: input.reasonCode }, signer, { kind: 'revokeCert' });
    } catch (error) {
      if (!(error instanceof AcmeProblem && error.is('alreadyRevoked'))) throw error;
      alreadyRevoked = true;
    }
    return { value: undefined, facts: [{ kind: 'revoked', certificateId, reasonCode: input.reasonCode, signedWith }] };
  };

  let failed: unknown;
  if (order) {
    const recorded = await runOrderStep(deps, order.id, 'revoke', work, context);
    if (!recorded.result.ok) failed = recorded.result.error;
  } else {
    const step = await acmeStep(work);
    const failure = step.ok ? undefined : failureFacts(step.error).find((f) => f.kind === 'failed');
    await handleCommand(deps.store, acmeOrderStreams.acmeRevocation(certificateId), acmeRevocationDecider, {
      type: 'RecordAcmeRevocation', certificateId, acmeServerId, exchanges: step.exchanges, now: deps.now().toISOString(),
      outcome: failure?.kind === 'failed' ? { ok: false, problem: failure.problem, message: failure.message } : { ok: true, reasonCode: input.reasonCode, signedWith },
    }, context, { retries: 5 });
    if (!step.ok) failed = step.error;
  }
  if (failed !== undefined) throw failed;

  const marked = await markCertificateRevoked(deps, certificateId, {
    reason: `revoked at the ACME server: ${reason} (RFC 5280 reason ${input.reasonCode})`, actor: input.actor,
  }, context);
  return { ...marked, orderId: order?.id ?? null, alreadyRevoked };
}
