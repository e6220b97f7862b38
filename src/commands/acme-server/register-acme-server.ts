import { acmeServerDefaultDecider } from '../../domain/acme-server/default-decider.js';
import { acmeServerDecider } from '../../domain/acme-server/decider.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { acmeStreams } from '../../domain/shared/ids.js';
import { createAcmeTransport } from '../../infra/acme/index.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { deterministicId } from '../../infra/ids.js';
import { acmeFailureOf } from '../acme-account/failure.js';
import { acmeStep, collectExchange } from '../acme/exchange-collector.js';
import { ACME_USER_AGENT } from '../acme/sessions.js';
import { handleCommand, type CommandContext } from '../handle.js';
import { directoryFacts } from './directory-facts.js';

export type RegisterAcmeServerInput = {
  directoryUrl: string;
  name?: string;
  caBundlePem?: string | null;
  isDefault?: boolean;
};

export type RegisteredAcmeServerOutcome = { acmeServerId: string; created: boolean; isDefault: boolean; position: bigint | null };

/** The id follows from the directory URL: registering the same CA twice is one server. */
export const acmeServerIdFor = (directoryUrl: string): string => deterministicId('acmeServer', directoryUrl);

export async function makeAcmeServerDefault(deps: { store: EventStore; now: () => Date }, acmeServerId: string, onlyIfNone: boolean, context: CommandContext = {}) {
  return handleCommand(deps.store, acmeStreams.acmeServerDefault(), acmeServerDefaultDecider, {
    type: 'MakeAcmeServerDefault', acmeServerId, onlyIfNone, now: deps.now().toISOString(),
  }, context, { retries: 5 });
}

/**
 * Fetches the directory first (RFC 8555 §7.1.1) with the given CA bundle: a URL that does not
 * serve a directory is refused as bad input and nothing is recorded. The first server
 * registered becomes the default; `isDefault` takes the default from another.
 */
export async function registerAcmeServer(
  deps: { store: EventStore; now: () => Date; transportTimeoutMs?: number },
  input: RegisterAcmeServerInput,
  context: CommandContext = {},
): Promise<RegisteredAcmeServerOutcome> {
  const acmeServerId = acmeServerIdFor(input.directoryUrl);
  const transport = createAcmeTransport({
    directoryUrl: input.directoryUrl,
    userAgent: ACME_USER_AGENT,
    onExchange: collectExchange,
    timeoutMs: deps.transportTimeoutMs ?? 15_000,
    maxTransientRetries: 1,
    ...(input.caBundlePem ? { ca: input.caBundlePem } : {}),
  });
  const step = await acmeStep(() => transport.directory()).finally(() => transport.close());
  if (!step.ok) {
    const failure = acmeFailureOf(step.error);
    const why = 'problem' in failure ? `${failure.problem.type} (HTTP ${failure.problem.status})` : failure.error.message;
    throw new ValidationError({ directory_url: `does not serve an ACME directory: ${why}` }, undefined, { cause: step.error });
  }
  const handled = await handleCommand(deps.store, acmeStreams.acmeServer(acmeServerId), acmeServerDecider, {
    type: 'RegisterAcmeServer',
    acmeServerId,
    name: input.name ?? new URL(input.directoryUrl).host,
    directoryUrl: input.directoryUrl,
    caBundlePem: input.caBundlePem ?? null,
    fetched: directoryFacts(step.value),
    exchanges: step.exchanges,
    now: deps.now().toISOString(),
  }, context);
  const made = await makeAcmeServerDefault(deps, acmeServerId, !input.isDefault, context);
  const position = [handled.position, made.position].reduce<bigint | null>((max, p) => (p !== null && (max === null || p > max) ? p : max), null);
  return { acmeServerId, created: handled.events.length > 0, isDefault: made.events.length > 0 || Boolean(input.isDefault), position };
}
