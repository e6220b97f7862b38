/**
 * Polls one certificate's renewalInfo (RFC 9773 §4.2) through its ACME server's shared transport
 * and records the answer — or the failure, with when to ask again — on
 * `certificateRenewalInfo-<certificateId>`.
 */
import { ariDecider, type AriCommand } from '../../../domain/ari/decider.js';
import { ariStreamName, type AriEvent } from '../../../domain/ari/events.js';
import { NotFoundError } from '../../../domain/shared/errors.js';
import { AcmeProblem, AcmeTransportError } from '../../../infra/acme/index.js';
import { ariCertificateIdentifier, AriError, fetchRenewalInfo } from '../../../infra/acme/ari.js';
import { handleCommand, type CommandContext, type Handled } from '../../handle.js';
import type { AriDeps } from './deps.js';

export type AriTarget = { certificateId: string; acmeServerId: string; pem: string };

/** The ACME server that issued the certificate: the one its order ran on. */
export async function ariTargetOf(deps: Pick<AriDeps, 'db'>, certificateId: string): Promise<AriTarget> {
  const row = await deps.db.selectFrom('certificates')
    .innerJoin('acme_orders', 'acme_orders.certificate_id', 'certificates.id')
    .select(['certificates.id', 'certificates.pem', 'acme_orders.acme_server_id'])
    .where('certificates.id', '=', certificateId)
    .executeTakeFirst();
  if (!row) throw new NotFoundError(`no certificate ${certificateId} issued through an ACME order`);
  return { certificateId: row.id, acmeServerId: row.acme_server_id, pem: row.pem };
}

export type PollOutcome = { ok: true; events: AriEvent[]; position: bigint | null } | { ok: false; error: unknown; events: AriEvent[]; position: bigint | null };

/** A server without renewalInfo throws AriError (nothing recorded); every other failure is recorded. */
export async function pollRenewalInfo(deps: AriDeps, target: AriTarget, context: CommandContext = {}): Promise<PollOutcome> {
  const random = deps.random ?? Math.random;
  const ariIdentifier = ariCertificateIdentifier(target.pem);
  const transport = await deps.acme.transportFor(target.acmeServerId);
  const directory = await transport.directory();
  if (directory.renewalInfo === undefined) throw new AriError(`ACME server ${target.acmeServerId} offers no renewalInfo (RFC 9773 §3)`);
  const base = { certificateId: target.certificateId, acmeServerId: target.acmeServerId, ariIdentifier };
  let command: AriCommand;
  let failure: unknown;
  try {
    const info = await fetchRenewalInfo(transport, ariIdentifier);
    const nowMs = deps.now().getTime();
    command = {
      type: 'RecordAriAnswer', ...base, nowMs,
      window: { startMs: Date.parse(info.suggestedWindow.start), endMs: Date.parse(info.suggestedWindow.end) },
      explanationUrl: info.explanationUrl ?? null,
      retryAfterSeconds: info.retryAfter?.seconds ?? null,
      random: { renewal: random(), poll: random() },
    };
  } catch (error) {
    if (!(error instanceof AcmeProblem || error instanceof AcmeTransportError || error instanceof AriError)) throw error;
    failure = error;
    command = {
      type: 'RecordAriFailure', ...base, nowMs: deps.now().getTime(),
      status: error instanceof AcmeProblem ? error.status : null,
      reason: error.message,
      // §4.3.3: a 503 (or any error) with Retry-After says when to come back.
      retryAfterSeconds: error instanceof AcmeProblem ? error.retryAfter?.seconds ?? null : null,
      random: { poll: random() },
    };
  }
  const handled: Handled<AriEvent> = await handleCommand(deps.store, ariStreamName(target.certificateId), ariDecider, command, context, { retries: 2 });
  return failure === undefined ? { ok: true, ...handled } : { ok: false, error: failure, ...handled };
}
