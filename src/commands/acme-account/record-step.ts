import type { AcmeAccountCommand } from '../../domain/acme-account/commands.js';
import { acmeAccountDecider } from '../../domain/acme-account/decider.js';
import type { AcmeFailure } from '../../domain/acme-account/failure.js';
import { acmeStreams } from '../../domain/shared/ids.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import type { StepResult } from '../acme/exchange-collector.js';
import { handleCommand, type CommandContext, type Handled } from '../handle.js';
import { acmeFailureOf } from './failure.js';

type Recording = Extract<AcmeAccountCommand, { exchanges: unknown }>;
type OkResult<C extends Recording> = Extract<C['result'], { ok: true }>;

/**
 * Appends what an ACME step did — its exchanges, then its outcome — in one append, then throws
 * the step's error when it failed. Retried on a concurrent append: a recording depends on
 * nothing but the facts it records, and the request cannot be taken back.
 */
export async function recordAccountStep<T, C extends Recording>(
  store: EventStore,
  acmeAccountId: string,
  step: StepResult<T>,
  command: (result: OkResult<C> | { ok: false; failure: AcmeFailure }) => C,
  ok: (value: T) => OkResult<C>,
  context: CommandContext = {},
): Promise<{ value: T; handled: Handled<ReturnType<typeof acmeAccountDecider.decide>[number]> }> {
  const result = step.ok ? ok(step.value) : { ok: false as const, failure: acmeFailureOf(step.error) };
  const handled = await handleCommand(store, acmeStreams.acmeAccount(acmeAccountId), acmeAccountDecider, command(result), context, { retries: 5 });
  if (!step.ok) throw step.error;
  return { value: step.value, handled };
}
