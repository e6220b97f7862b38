/**
 * What the order routes (native and peter_sslers) share: the command deps, read-your-writes after
 * a step, how a step and its error are shown, CSR downloads and the order's event stream.
 */
import type { Response } from 'express';
import { createAcmeOrder, type CreatedOrder } from '../commands/acme-order/create-acme-order.js';
import { laterPosition, loadOrder, type StepRun } from '../commands/acme-order/order-stream.js';
import type { AcmeOrderDeps } from '../commands/acme-order/deps.js';
import { RateLimitedError } from '../commands/acme-order/rate-limit.js';
import { nextStep, type NextStep } from '../domain/acme-order/steps.js';
import { NotFoundError } from '../domain/shared/errors.js';
import { acmeOrderStreams } from '../domain/shared/ids.js';
import { AcmeProblem, AcmeRateLimitedError } from '../infra/acme/index.js';
import { splitPemBlocks } from '../infra/x509/pem.js';
import type { AppDeps } from './app-deps.js';
import { findCsr } from './queries/acme-orders.js';
import { createOrderBody } from './schemas/acme-order.schema.js';
import { parseOrThrow } from './schemas/certificate.schema.js';

export const orderDepsOf = (deps: AppDeps): AcmeOrderDeps => ({
  store: deps.store, vault: deps.vault, db: deps.db, now: deps.now, acme: deps.acme, projections: deps.projections, dns: deps.dns, logger: deps.logger,
});

/** POST /api/v1/acme-orders and the dashboard's new-order form: the API's body schema, then the command. */
export async function createOrderFromBody(deps: AppDeps, body: unknown, actor: string): Promise<CreatedOrder> {
  const input = parseOrThrow(createOrderBody, body ?? {});
  return createAcmeOrder(orderDepsOf(deps), {
    accountId: input.account_id,
    identifiers: input.identifiers,
    keyPolicy: input.key_policy,
    keyTechnology: input.key_technology,
    processing: input.process,
    deactivateOnFailure: input.deactivate_on_failure,
  }, { actor });
}

export function errorJson(error: unknown): { message: string; code: string; acme_problem?: unknown; retry_after?: string } {
  if (error instanceof AcmeProblem) {
    const retryAfter = error.retryAfter?.notBefore;
    return {
      code: error instanceof AcmeRateLimitedError ? 'acme_rate_limited' : 'acme_problem',
      message: error.message,
      acme_problem: error.toJSON(),
      ...(retryAfter ? { retry_after: retryAfter } : {}),
    };
  }
  if (error instanceof RateLimitedError) return { code: error.code, message: error.message, retry_after: error.notBefore };
  return { code: 'acme_step_failed', message: error instanceof Error ? error.message : String(error) };
}

export const stepJson = (run: StepRun) => ({
  step: run.step,
  ok: run.ok,
  settled: run.settled,
  ...(run.ok ? {} : { error: errorJson(run.error) }),
});

export const positionOfRuns = (runs: StepRun[]): bigint | null => runs.reduce<bigint | null>((p, run) => laterPosition(p, run.position), null);

export type StepOutcome = { runs: StepRun[]; next: NextStep; failed: StepRun | undefined; rateLimited: AcmeRateLimitedError | undefined };

/** Waits until the read model has what the steps wrote; reports the first failure and the next step. */
export async function settleSteps(deps: AppDeps, orderId: string, runs: StepRun[], extraPosition: bigint | null = null): Promise<StepOutcome> {
  const position = laterPosition(positionOfRuns(runs), extraPosition);
  if (position !== null) await deps.projections.waitFor(position, { timeoutMs: 30_000 });
  const failed = runs.find((run) => !run.ok);
  const rateLimited = runs.map((run) => run.error).find((e): e is AcmeRateLimitedError => e instanceof AcmeRateLimitedError);
  return { runs, next: nextStep(await loadOrder(deps.store, orderId)), failed, rateLimited };
}

/** 429 with Retry-After when the CA rate-limited a step (RFC 8555 §6.6); else the given status. */
export function statusFor(res: Response, outcome: StepOutcome, ok: number): number {
  if (!outcome.rateLimited) return ok;
  if (outcome.rateLimited.retryAfter) res.set('Retry-After', String(Math.max(1, outcome.rateLimited.retryAfter.seconds)));
  return 429;
}

const CSR_FORMATS: Record<string, { type: string; der: boolean }> = {
  'csr.pem': { type: 'application/x-pem-file', der: false },
  'csr.pem.txt': { type: 'text/plain; charset=utf-8', der: false },
  'csr.der': { type: 'application/pkcs10', der: true },
  // peter_sslers' `csr.csr`: DER, as cert_utils serves it.
  'csr.csr': { type: 'application/pkcs10', der: true },
};

export const isCsrDownload = (file: string): boolean => file in CSR_FORMATS;

export async function sendCsr(deps: AppDeps, res: Response, by: { orderId?: string; csrId?: string }, file: string): Promise<void> {
  const format = CSR_FORMATS[file];
  const row = format ? await findCsr(deps.db, by) : undefined;
  if (!format || !row?.csr_pem) throw new NotFoundError('No such certificate request or download');
  res.setHeader('Content-Type', format.type);
  res.setHeader('Content-Disposition', `attachment; filename="${file}"`);
  res.send(format.der ? splitPemBlocks(row.csr_pem)[0]!.der : row.csr_pem);
}

/** The order's stream, oldest first: every exchange with the CA and every outcome. */
export async function orderEvents(deps: AppDeps, orderId: string, only?: string) {
  const events = await deps.store.readStream(acmeOrderStreams.acmeOrder(orderId));
  if (events.length === 0) throw new NotFoundError(`ACME order ${orderId} not found`);
  return events
    .filter((e) => only === undefined || e.type === only)
    .map((e) => ({ revision: Number(e.revision), position: e.position.toString(), type: e.type, recorded_at: e.createdAt, data: e.data }));
}
