import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIssuerDownload } from '../../src/infra/aia/issuer-download.js';
import { AiaFetchError } from '../../src/infra/aia/port.js';
import { createIssuerFetcher } from '../../src/infra/aia/undici-fetcher.js';
import { X509ParseError } from '../../src/infra/x509/certificate.js';
import { createCa, type TestCa } from '../support/pki.js';

describe('what an AIA CA Issuers URI serves', () => {
  let root: TestCa;
  let other: TestCa;
  beforeAll(async () => {
    root = await createCa();
    other = await createCa();
  });

  const pkcs7 = (...cas: TestCa[]) => Buffer.from(new x509.X509Certificates(cas.map((ca) => ca.cert)).export('raw'));
  const fingerprints = (body: Buffer) => parseIssuerDownload(body).map((c) => c.fingerprintSha256);

  it('reads DER, PEM and certs-only PKCS#7 (DER and PEM, either label)', () => {
    const expected = parseIssuerDownload(root.certDer).map((c) => c.fingerprintSha256);
    expect(fingerprints(Buffer.from(root.certPem))).toEqual(expected);
    expect(fingerprints(pkcs7(root))).toEqual(expected);
    expect(fingerprints(pkcs7(root, other))).toHaveLength(2);
    const p7 = pkcs7(root).toString('base64');
    expect(fingerprints(Buffer.from(`-----BEGIN PKCS7-----\n${p7}\n-----END PKCS7-----\n`))).toEqual(expected);
    expect(fingerprints(Buffer.from(`-----BEGIN CMS-----\n${p7}\n-----END CMS-----\n`))).toEqual(expected);
  });

  it('refuses garbage, empty bodies and PEM without a certificate', () => {
    expect(() => parseIssuerDownload(Buffer.from('<html>not found</html>'))).toThrow(X509ParseError);
    expect(() => parseIssuerDownload(Buffer.alloc(0))).toThrow(X509ParseError);
    expect(() => parseIssuerDownload(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]))).toThrow(X509ParseError);
    expect(() => parseIssuerDownload(Buffer.from('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'))).toThrow(X509ParseError);
  });
});

describe('the AIA fetcher', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/ok') return void res.end('certificate bytes');
      if (req.url === '/moved') return void res.writeHead(302, { location: '/ok' }).end();
      if (req.url === '/loop') return void res.writeHead(302, { location: '/loop' }).end();
      if (req.url === '/big') return void res.end(Buffer.alloc(4096, 1));
      if (req.url === '/slow') return void setTimeout(() => res.end('late'), 2_000);
      res.writeHead(404).end('nope');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const fetchIssuer = createIssuerFetcher({ timeoutMs: 300, maxBytes: 1024 });
  const failure = (url: string) => fetchIssuer(url).then(() => 'ok', (error: unknown) => {
    expect(error).toBeInstanceOf(AiaFetchError);
    return (error as Error).message;
  });

  it('downloads, following a redirect', async () => {
    expect((await fetchIssuer(`${base}/ok`)).toString()).toBe('certificate bytes');
    expect((await fetchIssuer(`${base}/moved`)).toString()).toBe('certificate bytes');
  });

  it('fails with a short reason: status, size, time, redirects, scheme, connection', async () => {
    expect(await failure(`${base}/missing`)).toBe('HTTP 404');
    expect(await failure(`${base}/big`)).toBe('larger than 1024 bytes');
    expect(await failure(`${base}/slow`)).toBe('timed out');
    expect(await failure(`${base}/loop`)).toBe('more than 3 redirects');
    expect(await failure('ldap://ldap.example.test/cn=CA')).toMatch(/only http and https/);
    expect(await failure('http://127.0.0.1:1/closed')).toMatch(/connection failed/);
  });
});
