import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../src/infra/x509/certificate.js';
import { ids } from '../../src/infra/ids.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createCa, issueLeaf, type TestCa } from '../support/pki.js';

const PREFIX = '/.well-known/peter_sslers';
const idOf = (ca: TestCa) => ids.caCertificate(parseCertificate(ca.certPem).fingerprintSha256);

/** The CAs' AIA URIs point at a server this test runs on 127.0.0.1; it serves what each path says. */
describe('reconciling CA certificates through their AIA CA Issuers URIs', () => {
  let stack: TestStack;
  let server: Server;
  let base: string;
  const served = new Map<string, { type: string; body: Buffer | string } | 404>();
  const requested: string[] = [];

  beforeAll(async () => {
    stack = await startTestStack('pglite');
    server = createServer((req, res) => {
      requested.push(req.url ?? '');
      const entry = served.get(req.url ?? '');
      if (!entry || entry === 404) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      res.writeHead(200, { 'content-type': entry.type }).end(entry.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await stack?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  const postJson = (path: string, body?: unknown) => fetch(`${stack.admin.url}${path}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const uploadCa = async (ca: TestCa) => expect((await postJson('/api/v1/ca-certificates', { certificate: ca.certPem })).status).toBe(201);
  const caCertificate = async (id: string) => (await json(await fetch(`${stack.admin.url}/api/v1/ca-certificates/${id}`))).ca_certificate;
  const caCount = async () => Number((await stack.handle.db.selectFrom('ca_certificates').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  it('enrols missing issuers upwards (DER, then PKCS#7) and reports failures per URI', async () => {
    // Root ← intermediate A ← intermediate B: only B is uploaded; A is served as DER, the root as PKCS#7.
    const root = await createCa({ name: 'AIA Root' });
    const a = await createCa({ name: 'AIA Intermediate A', issuer: root, aiaCaIssuersUrl: `${base}/root.p7c` });
    const b = await createCa({ name: 'AIA Intermediate B', issuer: a, aiaCaIssuersUrl: `${base}/a.cer` });
    served.set('/a.cer', { type: 'application/pkix-cert', body: a.certDer });
    served.set('/root.p7c', { type: 'application/pkcs7-mime', body: Buffer.from(new x509.X509Certificates([root.cert]).export('raw')) });

    // Three that cannot be reconciled: a 404, a garbage body, and a CA that did not sign them.
    const lost = await createCa({ name: 'Lost CA', issuer: await createCa(), aiaCaIssuersUrl: `${base}/missing.cer` });
    const garbled = await createCa({ name: 'Garbled CA', issuer: await createCa(), aiaCaIssuersUrl: `${base}/garbage.cer` });
    const impostor = await createCa({ name: 'Impostor Root' });
    const misled = await createCa({ name: 'Misled CA', issuer: await createCa({ name: 'Impostor Root' }), aiaCaIssuersUrl: `${base}/wrong.cer` });
    served.set('/missing.cer', 404);
    served.set('/garbage.cer', { type: 'application/pkix-cert', body: '<html>maintenance</html>' });
    served.set('/wrong.cer', { type: 'application/pkix-cert', body: impostor.certDer });
    for (const ca of [b, lost, garbled, misled]) await uploadCa(ca);
    const before = await caCount();

    const res = await postJson('/api/v1/ca-certificates/reconcile');
    expect(res.status).toBe(200);
    const report = await json(res);
    expect(report.enrolled).toEqual([
      { ca_certificate_id: idOf(a), subject: parseCertificate(a.certPem).subject, url: `${base}/a.cer`, created: true },
      { ca_certificate_id: idOf(root), subject: parseCertificate(root.certPem).subject, url: `${base}/root.p7c`, created: true },
    ]);
    expect(report.linked).toEqual([
      { ca_certificate_id: idOf(b), issuer_ca_certificate_id: idOf(a), url: `${base}/a.cer` },
      { ca_certificate_id: idOf(a), issuer_ca_certificate_id: idOf(root), url: `${base}/root.p7c` },
    ]);
    expect(report.failed).toEqual(expect.arrayContaining([
      { ca_certificate_id: idOf(lost), url: `${base}/missing.cer`, error: 'HTTP 404' },
      { ca_certificate_id: idOf(garbled), url: `${base}/garbage.cer`, error: expect.stringMatching(/not a certificate/) },
      { ca_certificate_id: idOf(misled), url: `${base}/wrong.cer`, error: 'the downloaded certificate did not issue this CA certificate' },
    ]));
    expect(report.failed).toHaveLength(3);
    expect(await caCount()).toBe(before + 2);

    expect(await caCertificate(idOf(a))).toMatchObject({ source: 'aia', source_url: `${base}/a.cer`, issuer_ca_certificate_id: idOf(root), aia_ca_issuers_urls: [`${base}/root.p7c`] });
    expect(await caCertificate(idOf(root))).toMatchObject({ source: 'aia', source_url: `${base}/root.p7c`, is_self_signed: true });
    expect(await caCertificate(idOf(b))).toMatchObject({ source: 'upload', issuer_ca_certificate_id: idOf(a) });
    expect(await caCertificate(idOf(impostor))).toBeUndefined();

    // The enrolled issuers now build chains for leaves uploaded without one.
    const leaf = await issueLeaf(b, { names: ['aia.example.test'] });
    const upload = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, { method: 'POST', body: form({ certificate_file: leaf.certPem, private_key_file: leaf.keyPem }) });
    expect(upload.status).toBe(200);
    const paths = await json(await fetch(`${stack.admin.url}/api/v1/certificates/${(await json(upload)).certificate.id}/trust-paths`));
    expect(paths.trust_paths[0].ca_certificates.map((c: { id: string }) => c.id)).toEqual([idOf(b), idOf(a), idOf(root)]);
  });

  it('downloads nothing again for what is reconciled, and retries what failed (peter_sslers route)', async () => {
    requested.length = 0;
    const head = await stack.deps.store.headPosition();
    const res = await fetch(`${stack.admin.url}${PREFIX}/api/reconcile-cas.json`, { method: 'POST' });
    expect(res.status).toBe(200);
    const report = await json(res);
    expect(report).toMatchObject({ result: 'success', enrolled: [], linked: [] });
    expect(report['certificate_ca.ids']).toHaveLength(3);
    expect(report['certificate_ca.ids_fail']).toHaveLength(3);
    expect(requested.sort()).toEqual(['/garbage.cer', '/missing.cer', '/wrong.cer']);
    expect(await stack.deps.store.headPosition()).toBe(head);
  });

  it('reconciles a failed URI once the server serves the right issuer', async () => {
    const lostRoot = await createCa({ name: 'Found Root' });
    const lostChild = await createCa({ name: 'Found Child', issuer: lostRoot, aiaCaIssuersUrl: `${base}/found.pem` });
    await uploadCa(lostChild);
    served.set('/found.pem', { type: 'application/x-pem-file', body: lostRoot.certPem });
    const report = await json(await postJson('/api/v1/ca-certificates/reconcile'));
    expect(report.linked).toEqual([{ ca_certificate_id: idOf(lostChild), issuer_ca_certificate_id: idOf(lostRoot), url: `${base}/found.pem` }]);
  });
});
