/** External Account Binding (RFC 8555 §7.3.4) against a second Pebble that requires it. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateAccountKey } from '../../src/infra/acme/account-key.js';
import { createAcmeTransport, type AcmeTransport } from '../../src/infra/acme/http.js';
import { signExternalAccountBinding } from '../../src/infra/acme/inner-jws.js';
import { AcmeProblem } from '../../src/infra/acme/problem.js';
import { createAcmeSigner } from '../../src/infra/acme/signer.js';
import { startPebble, type PebbleInstance } from '../support/pebble.js';

// Pebble's own example key (docs/examples/pebble-config-external-account-bindings.json).
const MAC_KEY = 'zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W';

/** The rejection of a promise that must fail, typed for the assertions that follow. */
const rejectionOf = <T>(promise: Promise<unknown>): Promise<T> => promise.then(
  () => { throw new Error('expected a failure'); },
  (error: unknown) => error as T,
);

let pebble: PebbleInstance;
let transport: AcmeTransport;

beforeAll(async () => {
  pebble = await startPebble({
    ports: 'free',
    config: { externalAccountBindingRequired: true, externalAccountMACKeys: { 'kid-1': MAC_KEY } },
  });
  transport = createAcmeTransport({ directoryUrl: pebble.directoryUrl, ca: pebble.caPem, userAgent: 'certledger-tests/0.1' });
});

afterAll(async () => {
  await transport?.close();
  await pebble?.stop();
});

it('binds a new account to the CA-issued key id, and is refused without it', async () => {
  const directory = await transport.directory();
  expect(directory.meta.externalAccountRequired).toBe(true);
  const signer = await createAcmeSigner(await generateAccountKey({ type: 'ec', curve: 'P-256' }));

  const refused = await rejectionOf<AcmeProblem>(transport.post(directory.newAccount, { termsOfServiceAgreed: true }, signer, { kind: 'newAccount' }));
  expect(refused).toBeInstanceOf(AcmeProblem);
  expect(refused.is('externalAccountRequired')).toBe(true);

  const wrongKey = await signExternalAccountBinding({ accountKey: signer, keyId: 'kid-1', macKey: MAC_KEY.replace(/^z/, 'y'), url: directory.newAccount });
  const rejected = await rejectionOf<AcmeProblem>(transport.post(directory.newAccount, { termsOfServiceAgreed: true, externalAccountBinding: wrongKey }, signer, { kind: 'newAccount' }));
  expect(rejected).toBeInstanceOf(AcmeProblem);

  const externalAccountBinding = await signExternalAccountBinding({ accountKey: signer, keyId: 'kid-1', macKey: MAC_KEY, url: directory.newAccount });
  const created = await transport.post(directory.newAccount, { termsOfServiceAgreed: true, externalAccountBinding }, signer, { kind: 'newAccount' });
  expect(created.status).toBe(201);
  expect(created.body).toMatchObject({ status: 'valid' });
});
