/** How ACME failures reach an API caller (src/http/errors.ts). */
import express from 'express';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { errorHandler } from '../../src/http/errors.js';
import { AcmeProblem, AcmeTransportError, parseProblem } from '../../src/infra/acme/index.js';
import { silentLogger } from '../../src/infra/logger.js';
import { json, listenOn, type TestServer } from '../support/app.js';

const failures: Record<string, () => Error> = {
  'rate-limited': () => parseProblem({ type: 'urn:ietf:params:acme:error:rateLimited', detail: 'too many' }, 429, { seconds: 120, notBefore: '2030-01-01T00:00:00.000Z' }),
  'bad-contact': () => new AcmeProblem({ type: 'urn:ietf:params:acme:error:invalidContact', status: 400, detail: 'no such domain' }),
  'server-internal': () => new AcmeProblem({ type: 'urn:ietf:params:acme:error:serverInternal', status: 500 }),
  timeout: () => new AcmeTransportError('timeout', 'POST', 'https://ca.example.test/x', 'timed out'),
  refused: () => new AcmeTransportError('connect', 'GET', 'https://ca.example.test/dir', 'connect ECONNREFUSED', 'ECONNREFUSED'),
};

let server: TestServer;
beforeAll(async () => {
  const app = express();
  app.get('/:name', (req) => { throw failures[req.params.name]!(); });
  app.use(errorHandler(silentLogger));
  server = await listenOn(app);
});
afterAll(() => server?.close());

const call = async (name: string) => {
  const res = await fetch(`${server.url}/${name}`);
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: await json(res) };
};

it('answers a rate limit with 429 and Retry-After (RFC 8555 §6.6)', async () => {
  expect(await call('rate-limited')).toMatchObject({
    status: 429, retryAfter: '120', body: { code: 'acme_rate_limited', acme_problem: { type: 'urn:ietf:params:acme:error:rateLimited', status: 429 } },
  });
});

it('answers a problem with the caller\'s input with 422, any other problem with 502, both with the problem document', async () => {
  expect(await call('bad-contact')).toMatchObject({ status: 422, body: { code: 'acme_problem', acme_problem: { type: 'urn:ietf:params:acme:error:invalidContact', detail: 'no such domain' } } });
  expect(await call('server-internal')).toMatchObject({ status: 502, body: { code: 'acme_problem', acme_problem: { status: 500 } } });
});

it('answers an unreachable CA with 502, a timeout with 504', async () => {
  expect(await call('refused')).toMatchObject({ status: 502, body: { code: 'acme_unreachable' } });
  expect(await call('timeout')).toMatchObject({ status: 504, body: { code: 'acme_unreachable' } });
});
