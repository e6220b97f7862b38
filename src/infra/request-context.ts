import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line and appended event of one HTTP request (or CLI run) shares. */
export type RequestContext = { requestId: string };

const storage = new AsyncLocalStorage<RequestContext>();

export const runWithRequestContext = <T>(context: RequestContext, work: () => T): T => storage.run(context, work);

/** The request id of the work running now, if it runs for a request. */
export const currentRequestId = (): string | undefined => storage.getStore()?.requestId;
