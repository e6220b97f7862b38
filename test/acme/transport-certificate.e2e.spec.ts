/**
 * One certificate through the bare transport (dns-01 via challtestsrv), to prove what later
 * layers rely on: Link rel="up"/"alternate" (RFC 8555 §7.4.2, §7.5.1), PEM chain downloads
 * and their digest-only exchange records. The ACME client proper will replace this flow.
 */
import { webcrypto, X509Certificate } from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { generateAccountKey } from '../../src/infra/acme/account-key.js';
import type { AcmeExchangeRecord } from '../../src/infra/acme/exchange.js';
import { createAcmeTransport, type AcmeResponse, type AcmeTransport } from '../../src/infra/acme/http.js';
import { dns01RecordName, dns01TxtValue, keyAuthorization } from '../../src/infra/acme/key-authorization.js';
import { linkUrls } from '../../src/infra/acme/links.js';
import { pemSha256, splitPemCertificateChain } from '../../src/infra/acme/pem-chains.js';
import { createAcmeSigner, type AcmeSigner } from '../../src/infra/acme/signer.js';
import { connectPebble } from '../support/pebble.js';

x509.cryptoProvider.set(webcrypto as never);

type AcmeObject = { status: string; [member: string]: unknown };

const pebble = connectPebble(inject('pebble'));
const exchanges: AcmeExchangeRecord[] = [];
let transport: AcmeTransport;
let signer: AcmeSigner;

beforeAll(async () => {
  transport = createAcmeTransport({
    directoryUrl: pebble.directoryUrl, ca: pebble.caPem, userAgent: 'certledger-tests/0.1', onExchange: (r) => { exchanges.push(r); },
  });
  const anonymous = await createAcmeSigner(await generateAccountKey({ type: 'ec', curve: 'P-256' }));
  const created = await transport.post((await transport.directory()).newAccount, { termsOfServiceAgreed: true }, anonymous, { kind: 'newAccount' });
  signer = anonymous.withKid(created.location!);
});

afterAll(() => transport?.close());

async function pollUntil(url: string, kind: 'getOrder' | 'getAuthorization', done: (o: AcmeObject) => boolean): Promise<AcmeObject> {
  for (let i = 0; i < 100; i += 1) {
    const response = await transport.post(url, '', signer, { kind });
    const object = response.body as AcmeObject;
    if (done(object)) return object;
    await new Promise((r) => setTimeout(r, Math.min(100, (response.retryAfter?.seconds ?? 0) * 1000 || 50)));
  }
  throw new Error(`${url} never reached the expected status`);
}

async function csrFor(name: string): Promise<string> {
  const keys = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: `CN=${name}`,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: name }])],
  });
  return Buffer.from(csr.rawData).toString('base64url');
}

it('issues by dns-01 and downloads the default and every alternate chain', async () => {
  const name = `dns01-${Date.now().toString(36)}.example.test`;
  const { newOrder } = await transport.directory();
  const ordered = await transport.post(newOrder, { identifiers: [{ type: 'dns', value: name }] }, signer, { kind: 'newOrder' });
  expect(ordered.status).toBe(201);
  const orderUrl = ordered.location!;
  const order = ordered.body as AcmeObject & { authorizations: string[]; finalize: string };

  const authz = (await transport.post(order.authorizations[0]!, '', signer, { kind: 'getAuthorization' })).body as AcmeObject & {
    challenges: { type: string; url: string; token: string }[];
  };
  const challenge = authz.challenges.find((c) => c.type === 'dns-01')!;
  await pebble.challtestsrv.setTxt(dns01RecordName(name), dns01TxtValue(keyAuthorization(challenge.token, signer.thumbprint)));

  const triggered = await transport.post(challenge.url, {}, signer, { kind: 'challengeResponse' });
  expect(linkUrls(triggered.links, 'up')).toEqual([order.authorizations[0]]);
  await pollUntil(order.authorizations[0]!, 'getAuthorization', (a) => a.status === 'valid');
  await pebble.challtestsrv.clearTxt(dns01RecordName(name));

  await transport.post(order.finalize, { csr: await csrFor(name) }, signer, { kind: 'finalize' });
  const valid = await pollUntil(orderUrl, 'getOrder', (o) => o.status === 'valid') as AcmeObject & { certificate: string };

  const primary = await transport.post(valid.certificate, '', signer, { kind: 'getCertificate' });
  expect(primary.contentType).toMatch(/^application\/pem-certificate-chain/);
  const alternates = linkUrls(primary.links, 'alternate');
  expect(alternates).toHaveLength(2); // PEBBLE_ALTERNATE_ROOTS=2
  const downloads: AcmeResponse[] = [primary];
  for (const url of alternates) downloads.push(await transport.post(url, '', signer, { kind: 'getCertificate' }));
  const chains = downloads.map((d) => splitPemCertificateChain(d.body as string));

  // Same leaf, three different paths, each ending under one of Pebble's roots.
  const roots = (await pebble.roots()).map((pem) => new X509Certificate(pem));
  expect(roots).toHaveLength(3);
  const rootIndexes = chains.map((chain) => {
    expect(chain).toHaveLength(4); // leaf + PEBBLE_CHAIN_LENGTH=3 intermediates
    expect(chain[0]).toBe(chains[0]![0]);
    const top = new X509Certificate(chain.at(-1)!);
    return roots.findIndex((root) => top.checkIssued(root) && top.verify(root.publicKey));
  });
  expect(rootIndexes).toEqual([0, 1, 2]);

  // The exchange records keep digests of the chain, never the PEMs.
  const records = exchanges.filter((e) => e.requestKind === 'getCertificate' && e.status === 200);
  expect(records.map((e) => e.responseBody)).toEqual(chains.map((chain, i) => ({
    pemCertificateChain: { certificateSha256: chain.map(pemSha256), bytes: Buffer.byteLength(downloads[i]!.body as string) },
  })));
  expect(JSON.stringify(exchanges)).not.toContain('BEGIN CERTIFICATE');
  expect(exchanges.find((e) => e.requestKind === 'newOrder' && !e.retrying)).toMatchObject({ status: 201, location: orderUrl });
});
