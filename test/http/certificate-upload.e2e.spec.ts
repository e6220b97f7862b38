import { createPrivateKey, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestChain, type TestChain } from '../support/pki.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';

const PREFIX = '/.well-known/peter_sslers';
const DAY = 86_400_000;

const pkcs8 = (pem: string) => createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });

describe.each(['pglite', 'postgres'] as const)('certificate upload and nginx lookup on %s', (kind) => {
  let stack: TestStack;
  let chain: TestChain;
  const upload = (fields: Record<string, string | Buffer>) =>
    fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, { method: 'POST', body: form(fields) });
  const config = (key: string, query = '') => fetch(`${stack.admin.url}${PREFIX}/domain/${key}/config.json${query}`);
  const files = (c: TestChain) => ({ private_key_file: c.leaf.keyPem, certificate_file: c.leaf.certPem, chain_file: c.chainPem });

  beforeAll(async () => {
    stack = await startTestStack(kind);
    chain = await createTestChain({ names: ['Multi.Example.test', 'www.multi.example.test'] });
  });
  afterAll(async () => stack?.close());

  it('imports an upload and serves it as lua-resty-peter_sslers reads it', async () => {
    const res = await upload(files(chain));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-peter-sslers')).toBe('admin');
    const body = await json(res);
    expect(body.result).toBe('success');
    expect(body.certificate.created).toBe(true);
    const certificateId: string = body.certificate.id;

    const domain = await json(await config('multi.example.test'));
    expect(domain.domain.domain_name).toBe('multi.example.test');
    expect(typeof domain.domain.id).toBe('string');
    expect(domain.certificate_signed__latest_single).toBeNull();
    const multi = domain.certificate_signed__latest_multi;
    expect(multi.id).toBe(certificateId);
    expect(multi.certificate).toEqual({ id: certificateId, pem: chain.leaf.certPem });
    expect(multi.chain.pem).toBe(chain.chainPem);
    expect(multi.fullchain.pem).toBe(chain.leaf.certPem + chain.chainPem);
    expect(multi.fullchain.id).toBe(`${certificateId},${multi.chain.id}`);
    expect(pkcs8(multi.private_key.pem)).toEqual(pkcs8(chain.leaf.keyPem));
    expect(domain.x509_certificate__latest_multi).toEqual(multi);
    expect(domain.x509_certificate__latest_single).toBeNull();

    const byId = await json(await config(domain.domain.id));
    expect(byId.domain).toEqual(domain.domain);

    const idOnly = await json(await config('www.multi.example.test', '?idonly=1'));
    expect(idOnly.certificate_signed__latest_multi).toEqual({
      id: certificateId,
      private_key: { id: multi.private_key.id },
      certificate: { id: certificateId },
      chain: { id: multi.chain.id },
      fullchain: { id: multi.fullchain.id },
    });

    const cert = await json(await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/${certificateId}/config.json`));
    expect(cert).toEqual(multi);
  });

  it('answers 404 with a message for an unknown domain', async () => {
    const res = await config('nowhere.example.test');
    expect(res.status).toBe(404);
    expect((await json(res)).message).toMatch(/not found/i);
    expect((await config('bad..name')).status).toBe(400);
  });

  it('returns the existing id when the same certificate is uploaded again, writing nothing', async () => {
    const before = await stack.deps.store.headPosition();
    const res = await upload(files(chain));
    const body = await json(res);
    expect(res.status).toBe(200);
    expect(body.certificate.created).toBe(false);
    expect(await stack.deps.store.headPosition()).toBe(before);
  });

  it('keeps single and multi recents apart and prefers the latest not-after', async () => {
    const early = await createTestChain({ names: ['solo.example.test'], notAfter: new Date(Date.now() + 30 * DAY) });
    const late = await createTestChain({ names: ['solo.example.test'], notAfter: new Date(Date.now() + 60 * DAY) });
    const pair = await createTestChain({ names: ['solo.example.test', 'other.example.test'] });
    const ids: string[] = [];
    for (const c of [late, early, pair]) ids.push((await json(await upload(files(c)))).certificate.id);
    const solo = await json(await config('solo.example.test', '?idonly=1'));
    expect(solo.certificate_signed__latest_single.id).toBe(ids[0]);
    expect(solo.certificate_signed__latest_multi.id).toBe(ids[2]);
    const other = await json(await config('other.example.test', '?idonly=1'));
    expect(other.certificate_signed__latest_single).toBeNull();
    expect(other.certificate_signed__latest_multi.id).toBe(ids[2]);
  });

  it('accepts an expired certificate, marks it and never serves it', async () => {
    const expired = await createTestChain({
      names: ['expired.example.test'],
      notBefore: new Date(Date.now() - 100 * DAY),
      notAfter: new Date(Date.now() - DAY),
    });
    const body = await json(await upload(files(expired)));
    expect(body.certificate.is_expired).toBe(true);
    const domain = await json(await config('expired.example.test'));
    expect(domain.certificate_signed__latest_single).toBeNull();
    const summary = await json(await fetch(`${stack.admin.url}/api/v1/certificates/${body.certificate.id}`));
    expect(summary.certificate).toMatchObject({ is_expired: true, is_active: false });
  });

  it('offers every download in its format and MIME type', async () => {
    const id = (await json(await upload(files(chain)))).certificate.id;
    const get = (file: string) => fetch(`${stack.admin.url}${PREFIX}/certificate-signed/${id}/${file}`);
    const der = new X509Certificate(chain.leaf.certPem).raw;
    const expectations: [string, string, (b: Buffer) => void][] = [
      ['cert.pem', 'application/x-pem-file', (b) => expect(b.toString()).toBe(chain.leaf.certPem)],
      ['cert.pem.txt', 'text/plain', (b) => expect(b.toString()).toBe(chain.leaf.certPem)],
      ['cert.cer', 'application/pkix-cert', (b) => expect(b).toEqual(der)],
      ['cert.crt', 'application/x-x509-server-cert', (b) => expect(b).toEqual(der)],
      ['cert.der', 'application/x-x509-server-cert', (b) => expect(b).toEqual(der)],
      ['chain.pem', 'application/x-pem-file', (b) => expect(b.toString()).toBe(chain.chainPem)],
      ['chain.pem.txt', 'text/plain', (b) => expect(b.toString()).toBe(chain.chainPem)],
      ['fullchain.pem', 'application/x-pem-file', (b) => expect(b.toString()).toBe(chain.leaf.certPem + chain.chainPem)],
      ['fullchain.pem.txt', 'text/plain', (b) => expect(b.toString()).toBe(chain.leaf.certPem + chain.chainPem)],
      ['privkey.pem', 'application/x-pem-file', (b) => expect(pkcs8(b.toString())).toEqual(pkcs8(chain.leaf.keyPem))],
      ['privkey.pem.txt', 'text/plain', (b) => expect(pkcs8(b.toString())).toEqual(pkcs8(chain.leaf.keyPem))],
      ['privkey.key', 'application/pkcs8', (b) => expect(b).toEqual(chain.leaf.keyDer)],
    ];
    for (const [file, type, check] of expectations) {
      const res = await get(file);
      expect(res.status, file).toBe(200);
      expect(res.headers.get('content-type'), file).toContain(type);
      check(Buffer.from(await res.arrayBuffer()));
    }
    expect((await get('privkey.pem')).headers.get('cache-control')).toBe('no-store');
    expect((await get('chain.der')).status).toBe(404);
    expect((await fetch(`${stack.admin.url}/api/v1/certificates/${id}/fullchain.pem`)).status).toBe(200);
  });

  it('imports through the native JSON API too, PEM or DER', async () => {
    const native = await createTestChain({ names: ['native.example.test'], keyAlgorithm: 'EC' });
    const post = (body: unknown) => fetch(`${stack.admin.url}/api/v1/certificates`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    });
    const first = await post({ certificate: native.leaf.certPem, private_key: native.leaf.keySec1Pem, chain: native.chainPem });
    expect(first.status).toBe(201);
    const created = await json(first);
    expect(created.certificate).toMatchObject({ domain_names: ['native.example.test'], key_technology: 'EC_P256', is_active: true });
    const again = await post({ certificate: native.leaf.certPem, private_key: native.leaf.keyPem, chain: native.chainPem });
    expect(again.status).toBe(200);
    expect((await json(again)).certificate.id).toBe(created.certificate.id);

    const der = await fetch(`${stack.admin.url}/api/v1/certificates`, {
      method: 'POST',
      body: form({ certificate: native.leaf.certDer, private_key: native.leaf.keyDer, chain: native.chainPem }),
    });
    expect(der.status).toBe(200);
    const bad = await post({ certificate: native.leaf.certPem, chain: native.chainPem, extra: 1 });
    expect(bad.status).toBe(400);
    expect((await json(bad)).form_errors).toMatchObject({ private_key: expect.any(String), extra: 'unknown field' });
  });
});
