import { Router } from 'express';
import { MAX_RECORDED_POLLS, recordChallengePoll } from '../../commands/acme-order/record-challenge-poll.js';
import type { AppDeps } from '../app-deps.js';

/** RFC 8555 §8.3: tokens are base64url; anything else is not one of ours. */
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

export type AcmeChallengeRouteDeps = Pick<AppDeps, 'db' | 'store' | 'now' | 'logger'>;

/**
 * http-01 answers (RFC 8555 §8.3) from the read model, so any public instance answers for any
 * order: the key authorization, as text, while the challenge is pending or processing. Each
 * fetch is recorded on the order (time, remote address) after the answer is sent, so the CA
 * never waits on the event store.
 */
export function acmeChallengeRoutes(deps: AcmeChallengeRouteDeps): Router {
  const router = Router();
  router.get('/.well-known/acme-challenge/:token', async (req, res) => {
    const token = String(req.params.token);
    const row = TOKEN.test(token)
      ? await deps.db
        .selectFrom('acme_challenges')
        .select(['id', 'acme_order_id', 'key_authorization', 'poll_count'])
        .where('token', '=', token)
        .where('type', '=', 'http-01')
        .where('status', 'in', ['pending', 'processing'])
        .where('key_authorization', 'is not', null)
        .orderBy('updated_at', 'desc')
        .executeTakeFirst()
      : undefined;
    if (!row?.key_authorization) {
      res.status(404).type('text/plain').send('Not found');
      return;
    }
    res.setHeader('Cache-Control', 'no-store');
    res.type('text/plain').send(row.key_authorization);
    // The order stream takes a few polls per challenge; past them there is nothing to write.
    if (row.poll_count >= MAX_RECORDED_POLLS) return;
    const poll = {
      orderId: row.acme_order_id,
      challengeId: row.id,
      remoteAddress: req.socket.remoteAddress ?? null,
      userAgent: req.get('user-agent') ?? null,
    };
    recordChallengePoll(deps, poll).catch((error: unknown) => {
      deps.logger.warn('http-01 poll not recorded', { orderId: poll.orderId, challengeId: poll.challengeId, error: error instanceof Error ? error.message : String(error) });
    });
  });
  return router;
}
