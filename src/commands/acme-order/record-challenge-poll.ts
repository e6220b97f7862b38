import type { AcmeOrderDeps } from './deps.js';
import { recordOnOrder } from './order-stream.js';

/** How many of the CA's fetches of one http-01 answer are recorded: enough to audit, too few to flood. */
export const MAX_RECORDED_POLLS = 10;

/** The CA (or anyone) fetched an http-01 answer: recorded on the order while the challenge is open. */
export async function recordChallengePoll(
  deps: Pick<AcmeOrderDeps, 'store' | 'now'>,
  poll: { orderId: string; challengeId: string; remoteAddress: string | null; userAgent: string | null },
): Promise<void> {
  await recordOnOrder(deps, poll.orderId, {
    type: 'RecordAcmeChallengePoll',
    challengeId: poll.challengeId,
    remoteAddress: poll.remoteAddress,
    userAgent: poll.userAgent === null ? null : poll.userAgent.slice(0, 200),
    maxRecorded: MAX_RECORDED_POLLS,
    now: deps.now().toISOString(),
  });
}
