/**
 * Adding names to the domain queue (peter_sslers' queue-domains): a managed but inactive domain is
 * activated, a new name is queued, and anything else (active, already queued or ordered) ignored.
 * Blocklisted names and names outside the allowed patterns are refused before anything is read.
 */
import { domainQueueDecider, DOMAIN_QUEUE_STREAM } from '../../domain/domain-queue/decider.js';
import type { NameRules } from '../../domain/autocert/name-rules.js';
import type { LifecycleDeps } from '../certificate/lifecycle.js';
import { catalogDomain } from '../autocert/catalog-domain.js';
import { requestedName, verdictOf } from '../autocert/names.js';
import { activateDomain } from '../domain/activate-domain.js';
import { handleCommand, type CommandContext } from '../handle.js';

/** `active` and `already_queued` are the ignored ones. */
export type QueueOutcome = 'queued' | 'activated' | 'active' | 'already_queued' | 'blocklisted';

export type QueueAddResult = { outcomes: Record<string, QueueOutcome>; position: bigint | null };

export async function addToDomainQueue(
  deps: LifecycleDeps & { autocertNames?: NameRules },
  domainNames: string[],
  context: CommandContext = {},
): Promise<QueueAddResult> {
  const names = [...new Set(domainNames.map((n) => requestedName(n, 'domain_names')))];
  const outcomes: Record<string, QueueOutcome> = {};
  for (const name of names) if (verdictOf(name, deps.autocertNames) !== 'allowed') outcomes[name] = 'blocklisted';

  let position: bigint | null = null;
  const fresh: string[] = [];
  for (const name of names.filter((n) => !outcomes[n])) {
    const known = await catalogDomain(deps.db, name);
    if (!known) {
      fresh.push(name);
      continue;
    }
    if (known.isActive) {
      outcomes[name] = 'active';
      continue;
    }
    const marked = await activateDomain(deps, known.id, { reason: 'domain queue', actor: context.actor ?? 'domain-queue' }, context);
    outcomes[name] = 'activated';
    position = marked.position ?? position;
  }
  if (fresh.length > 0) {
    // Retried on a concurrent append: queueing depends on nothing but the queue stream.
    const handled = await handleCommand(deps.store, DOMAIN_QUEUE_STREAM, domainQueueDecider, {
      type: 'QueueDomains', domainNames: fresh, now: deps.now().toISOString(),
    }, context, { retries: 3 });
    const queued = new Set(handled.events.flatMap((e) => (e.type === 'DomainQueued' ? [e.data.domainName] : [])));
    for (const name of fresh) outcomes[name] = queued.has(name) ? 'queued' : 'already_queued';
    position = handled.position ?? position;
  }
  return { outcomes, position };
}
