import { AsyncLocalStorage } from 'node:async_hooks';
import type { AcmeExchangeRecorded } from '../../domain/acme/exchange.js';
import type { AcmeExchangeRecord } from '../../infra/acme/exchange.js';

const current = new AsyncLocalStorage<AcmeExchangeRecorded[]>();

/**
 * Give this as the transport's `onExchange`: each exchange lands in the collector of the step that
 * made it, so a shared transport still records every request on the right stream.
 */
export const collectExchange = (record: AcmeExchangeRecord): void => {
  current.getStore()?.push({ type: 'AcmeExchangeRecorded', data: JSON.parse(JSON.stringify(record)) as AcmeExchangeRecorded['data'] });
};

export type StepResult<T> =
  | { ok: true; value: T; exchanges: AcmeExchangeRecorded[] }
  | { ok: false; error: unknown; exchanges: AcmeExchangeRecorded[] };

/**
 * Runs one ACME step and returns what it did with every exchange it made — success or failure —
 * so the handler appends [exchanges…, outcome] in one append with its expected revision.
 */
export async function acmeStep<T>(work: () => Promise<T>): Promise<StepResult<T>> {
  const exchanges: AcmeExchangeRecorded[] = [];
  return current.run(exchanges, async () => {
    try {
      return { ok: true, value: await work(), exchanges };
    } catch (error) {
      return { ok: false, error, exchanges };
    }
  });
}
