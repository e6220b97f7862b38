/** Reading an order's stream and recording what a step did on it. */
import type { AcmeOrderCommand, StepFact } from '../../domain/acme-order/commands.js';
import { acmeOrderDecider } from '../../domain/acme-order/decider.js';
import type { AcmeOrderEvent, ProblemData } from '../../domain/acme-order/events.js';
import type { OrderView } from '../../domain/acme-order/state.js';
import { requireOrder } from '../../domain/acme-order/steps.js';
import { fold } from '../../domain/shared/decider.js';
import { acmeOrderStreams } from '../../domain/shared/ids.js';
import { AcmeProblem, AcmeRateLimitedError, type AcmeTransportError } from '../../infra/acme/index.js';
import type { EventStore } from '../../infra/eventstore/port.js';
import { acmeStep, type StepResult } from '../acme/exchange-collector.js';
import { handleCommand, type CommandContext, type Handled } from '../handle.js';
import type { AcmeOrderDeps } from './deps.js';

export async function loadOrder(store: EventStore, orderId: string): Promise<OrderView> {
  const events = await store.readStream(acmeOrderStreams.acmeOrder(orderId));
  return requireOrder(fold(acmeOrderDecider, events.map((e) => ({ type: e.type, data: e.data }) as unknown as AcmeOrderEvent)), orderId);
}

/**
 * Retried on a concurrent append (the public app records the CA's polls on the same stream):
 * a recording depends on nothing but the facts it carries, and a request cannot be taken back.
 */
export function recordOnOrder(
  deps: Pick<AcmeOrderDeps, 'store'>,
  orderId: string,
  command: AcmeOrderCommand,
  context: CommandContext = {},
): Promise<Handled<AcmeOrderEvent>> {
  return handleCommand(deps.store, acmeOrderStreams.acmeOrder(orderId), acmeOrderDecider, command, context, { retries: 8 });
}

/** A failure as event data; the transport's messages name URLs and causes, never bodies or keys. */
export function failureFacts(error: unknown): StepFact[] {
  if (error instanceof AcmeProblem) {
    const problem = JSON.parse(JSON.stringify(error.toJSON())) as ProblemData;
    const facts: StepFact[] = [{ kind: 'failed', problem, message: error.message }];
    if (error instanceof AcmeRateLimitedError) {
      // §6.6: a 429 without Retry-After still means "not now"; an hour is Let's Encrypt's shortest window.
      facts.push({ kind: 'rateLimited', retryAfter: error.retryAfter ?? { seconds: 3600, notBefore: '' }, problem });
    }
    return facts;
  }
  const transport = error as Partial<AcmeTransportError>;
  const message = error instanceof Error ? error.message : String(error);
  return [{ kind: 'failed', problem: null, message: transport.kind ? `${transport.kind}: ${message}` : message }];
}

export type RecordedStep<T> = { result: StepResult<T>; position: bigint | null };

/**
 * Runs one ACME step and records it whole: every exchange, then its facts (or its failure and,
 * on 429, the rate limit). Returns the step's result; a failed step is recorded, not thrown.
 */
export async function runOrderStep<T>(
  deps: Pick<AcmeOrderDeps, 'store' | 'now'>,
  orderId: string,
  step: string,
  work: () => Promise<{ value: T; facts: StepFact[] }>,
  context: CommandContext = {},
): Promise<RecordedStep<T>> {
  const outcome = await acmeStep(work);
  const now = deps.now();
  let facts = outcome.ok ? outcome.value.facts : failureFacts(outcome.error);
  facts = facts.map((fact) => fact.kind === 'rateLimited' && fact.retryAfter.notBefore === ''
    ? { ...fact, retryAfter: { seconds: fact.retryAfter.seconds, notBefore: new Date(now.getTime() + fact.retryAfter.seconds * 1000).toISOString() } }
    : fact);
  const handled = await recordOnOrder(deps, orderId, { type: 'RecordAcmeStep', step, exchanges: outcome.exchanges, facts, now: now.toISOString() }, context);
  const result: StepResult<T> = outcome.ok ? { ok: true, value: outcome.value.value, exchanges: outcome.exchanges } : outcome;
  return { result, position: handled.position };
}

/** What one step of an order did, for the caller (process reports, routes). */
export type StepRun = {
  step: string;
  ok: boolean;
  /** false when the step polled until its time ran out and the object had not settled yet. */
  settled: boolean;
  error?: unknown;
  /** Wait for it before reading the read model. */
  position: bigint | null;
};

export const stepRun = (step: string, recorded: RecordedStep<unknown>, settled = true): StepRun => (recorded.result.ok
  ? { step, ok: true, settled, position: recorded.position }
  : { step, ok: false, settled: true, error: recorded.result.error, position: recorded.position });

/** The later of two positions (null = nothing written). */
export const laterPosition = (a: bigint | null, b: bigint | null): bigint | null => (a === null ? b : b === null ? a : a > b ? a : b);
