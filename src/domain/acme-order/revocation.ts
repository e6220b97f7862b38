/**
 * Revoking (RFC 8555 §7.6) a certificate that no order of ours issued (an upload): its exchanges
 * and outcome go on the certificate's revocation stream. A certificate from one of our orders
 * is revoked on that order's stream instead (a `revoked` step fact).
 */
import type { AcmeExchangeRecorded } from '../acme/exchange.js';
import type { Decider } from '../shared/decider.js';
import type { AcmeCertificateRevoked, AcmeRevocationFailed, ProblemData } from './events.js';

export type RecordAcmeRevocation = {
  type: 'RecordAcmeRevocation';
  certificateId: string;
  acmeServerId: string;
  exchanges: AcmeExchangeRecorded[];
  outcome: { ok: true; reasonCode: number; signedWith: 'account' | 'certificateKey' } | { ok: false; problem: ProblemData | null; message: string };
  now: string;
};

export type AcmeRevocationEvent = AcmeExchangeRecorded | AcmeCertificateRevoked | AcmeRevocationFailed;
export type AcmeRevocationState = { revoked: boolean };

export const acmeRevocationDecider: Decider<RecordAcmeRevocation, AcmeRevocationState, AcmeRevocationEvent> = {
  initialState: () => ({ revoked: false }),
  evolve: (state, event) => (event.type === 'AcmeCertificateRevoked' ? { revoked: true } : state),
  decide: (command, state) => {
    const { certificateId, outcome, now } = command;
    if (!outcome.ok) {
      return [...command.exchanges, { type: 'AcmeRevocationFailed', data: { certificateId, acmeServerId: command.acmeServerId, problem: outcome.problem, message: outcome.message, failedAt: now } }];
    }
    if (state.revoked) return [...command.exchanges];
    return [...command.exchanges, {
      type: 'AcmeCertificateRevoked',
      data: { orderId: null, certificateId, reasonCode: outcome.reasonCode, signedWith: outcome.signedWith, revokedAt: now },
    }];
  },
};
