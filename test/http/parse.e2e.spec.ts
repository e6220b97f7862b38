import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, issueLeaf, type TestCa, type TestLeaf } from '../support/pki.js';
import { json, startTestStack, type TestStack } from '../support/app.js';

const PREFIX = '/.well-known/peter_sslers';
const MISSING = '00000000-0000-8000-8000-000000000000';

async function createCsr(): Promise<x509.Pkcs10CertificateRequest> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  return x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: 'CN=csr.parse.test',
      keys,
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
      extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: 'csr.parse.test' }, { type: 'dns', value: 'www.csr.parse.test' }])],
    },
    webcrypto as never,
  );
}

describe.each(['pglite', 'postgres'] as const)('parse.json on %s', (kind) => {
  let stack: TestStack;
  let root: TestCa;
  let intermediate: TestCa;
  let leaf: TestLeaf;
  let certificate: { id: string; private_key_id: string; fingerprint_sha256: string; spki_sha256: string; serial: string };
  const parse = (body: string | FormData, headers: Record<string, string> = {}) =>
    fetch(`${stack.admin.url}/api/v1/parse`, { method: 'POST', body, headers });
  const parseJson = async (pem: string) => {
    const res = await parse(JSON.stringify({ pem }), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    return json(res);
  };
  const get = async (path: string) => {
    const res = await fetch(`${stack.admin.url}${path}`);
    expect(res.status, path).toBe(200);
    return json(res);
  };

  beforeAll(async () => {
    stack = await startTestStack(kind);
    root = await createCa({ name: 'Parse Root' });
    intermediate = await createCa({ name: 'Parse Intermediate', issuer: root, aiaCaIssuersUrl: 'http://ca.parse.test/root.der' });
    leaf = await issueLeaf(intermediate, { names: ['parse.test', 'www.parse.test', '192.0.2.7'], aiaCaIssuersUrl: 'http://ca.parse.test/intermediate.der' });
    const res = await fetch(`${stack.admin.url}/api/v1/certificates`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ certificate: leaf.certPem, private_key: leaf.keyPem, chain: intermediate.certPem }),
    });
    expect(res.status).toBe(201);
    certificate = (await json(res)).certificate;
  });
  afterAll(async () => stack?.close());

  it('decodes a certificate: names, validity, serial, key, fingerprints and extensions', async () => {
    const { kind: parsedKind, parsed } = await parseJson(leaf.certPem);
    expect(parsedKind).toBe('certificate');
    expect(parsed).toMatchObject({
      kind: 'certificate',
      subject: 'CN=parse.test',
      issuer: 'CN=Parse Intermediate,O=certledger tests',
      serial: certificate.serial,
      not_before: leaf.cert.notBefore.toISOString(),
      not_after: leaf.cert.notAfter.toISOString(),
      enddate: leaf.cert.notAfter.toISOString(),
      subject_alt_names: { dns: ['parse.test', 'www.parse.test'], ip: ['192.0.2.7'] },
      SubjectAlternativeName: ['parse.test', 'www.parse.test'],
      key_technology: 'RSA_2048',
      spki_sha256: certificate.spki_sha256,
      fingerprint_sha256: certificate.fingerprint_sha256,
      signature_algorithm: 'ECDSA/SHA-256',
      is_ca: false,
      is_self_signed: false,
      issuer_uri: 'http://ca.parse.test/intermediate.der',
    });
    expect(BigInt(`0x${parsed.serial}`).toString()).toBe(parsed.serial_decimal);
    expect(parsed.extensions).toMatchObject({
      basic_constraints: { ca: false, path_length: null, critical: true },
      key_usage: { usages: ['digitalSignature', 'keyEncipherment'], critical: true },
      extended_key_usage: { usages: ['serverAuth'], critical: false },
      authority_info_access: { ca_issuers: ['http://ca.parse.test/intermediate.der'], ocsp: [] },
      sct_count: null,
    });
    const intermediateParsed = (await parseJson(intermediate.certPem)).parsed;
    expect(parsed.extensions.authority_key_identifier).toBe(intermediateParsed.extensions.subject_key_identifier);
    expect(parsed.authority_key_identifier).toBe(parsed.extensions.authority_key_identifier);
  });

  it('decodes CA certificates, DER uploads and the stored objects on both APIs', async () => {
    const rootParsed = (await parseJson(root.certPem)).parsed;
    expect(rootParsed).toMatchObject({ kind: 'ca_certificate', is_ca: true, is_self_signed: true, key_technology: 'EC_P256', extensions: { basic_constraints: { ca: true } } });
    const form = new FormData();
    form.append('file', new Blob([leaf.certDer]), 'cert.der');
    const der = await json(await parse(form));
    expect(der.parsed.fingerprint_sha256).toBe(certificate.fingerprint_sha256);

    const native = await get(`/api/v1/certificates/${certificate.id}/parse.json`);
    expect(native.certificate).toMatchObject({ id: certificate.id, parsed: { fingerprint_sha256: certificate.fingerprint_sha256 } });
    const compat = await get(`${PREFIX}/certificate-signed/${certificate.id}/parse.json`);
    expect(compat.CertificateSigned).toEqual(native.certificate);

    const cas = await get('/api/v1/ca-certificates');
    const caId = cas.items[0].id;
    const ca = await get(`/api/v1/ca-certificates/${caId}/parse.json`);
    expect(ca.ca_certificate).toMatchObject({ id: caId, parsed: { kind: 'ca_certificate', subject: 'CN=Parse Intermediate,O=certledger tests' } });
    expect((await get(`${PREFIX}/certificate-ca/${caId}/parse.json`)).CertificateCA).toEqual(ca.ca_certificate);
  });

  it('decodes a CSR, PEM or DER, and checks its signature', async () => {
    const csr = await createCsr();
    const { parsed } = await parseJson(csr.toString('pem'));
    expect(parsed).toMatchObject({
      kind: 'csr',
      subject: 'CN=csr.parse.test',
      subject_alt_names: { dns: ['csr.parse.test', 'www.csr.parse.test'], ip: [] },
      key_technology: 'EC_P256',
      signature_valid: true,
      signature_algorithm: 'ECDSA/SHA-256',
    });
    expect(parsed.spki_sha256).toMatch(/^[0-9a-f]{64}$/);
    const form = new FormData();
    form.append('file', new Blob([Buffer.from(csr.rawData)]), 'request.der');
    expect((await json(await parse(form))).parsed).toEqual(parsed);
  });

  it('describes a private key by its public half only', async () => {
    const { parsed } = await parseJson(leaf.keyPem);
    expect(parsed).toEqual({ kind: 'private_key', key_technology: 'RSA_2048', spki_sha256: certificate.spki_sha256, modulus_md5: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const pkcs1 = await parseJson(leaf.keyPkcs1Pem!);
    expect(pkcs1.parsed).toEqual(parsed);

    const keyBase64 = leaf.keyDer.toString('base64').slice(40, 80);
    for (const path of [`/api/v1/private-keys/${certificate.private_key_id}/parse.json`, `${PREFIX}/private-key/${certificate.private_key_id}/parse.json`]) {
      const res = await fetch(`${stack.admin.url}${path}`);
      const text = await res.text();
      expect(res.status, path).toBe(200);
      expect(text).not.toContain('PRIVATE KEY');
      expect(text).not.toContain(keyBase64);
    }
    const native = await get(`/api/v1/private-keys/${certificate.private_key_id}/parse.json`);
    expect(native.private_key).toEqual({ id: certificate.private_key_id, parsed: { ...parsed, key_material_available: true } });
    const compat = await get(`${PREFIX}/private-key/${certificate.private_key_id}/parse.json`);
    expect(compat).toEqual({ [certificate.private_key_id]: native.private_key.parsed });
  });

  it('answers garbage and missing input with 400 naming the field, unknown ids with 404', async () => {
    const garbage = await parse(JSON.stringify({ pem: 'not a certificate at all' }), { 'content-type': 'application/json' });
    expect(garbage.status).toBe(400);
    expect((await json(garbage)).form_errors.pem).toMatch(/not a PEM or DER/);
    const publicKey = await parse(JSON.stringify({ pem: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' }), { 'content-type': 'application/json' });
    expect((await json(publicKey)).form_errors.pem).toMatch(/PUBLIC KEY/);
    const empty = await parse(JSON.stringify({ pem: '' }), { 'content-type': 'application/json' });
    expect((await json(empty)).form_errors.pem).toBeDefined();
    const unknownField = await parse(JSON.stringify({ pem: leaf.certPem, extra: 1 }), { 'content-type': 'application/json' });
    expect((await json(unknownField)).form_errors.extra).toBe('unknown field');
    const form = new FormData();
    form.append('file', new Blob([Buffer.from([0x30, 0x03, 0x02, 0x01, 0x05])]), 'x.der');
    const bytes = await parse(form);
    expect(bytes.status).toBe(400);
    expect((await json(bytes)).form_errors.file).toBeDefined();
    const noFile = new FormData();
    noFile.append('other', 'x');
    expect((await json(await parse(noFile))).form_errors).toBeDefined();
    expect((await parse('pem', { 'content-type': 'text/plain' })).status).toBe(400);
    for (const path of [`/api/v1/certificates/${MISSING}/parse.json`, `/api/v1/ca-certificates/${MISSING}/parse.json`, `/api/v1/private-keys/x/parse.json`, `${PREFIX}/certificate-signed/${MISSING}/parse.json`, `${PREFIX}/certificate-ca/${MISSING}/parse.json`, `${PREFIX}/private-key/${MISSING}/parse.json`]) {
      const res = await fetch(`${stack.admin.url}${path}`);
      expect(res.status, path).toBe(404);
      expect((await json(res)).code).toBe('not_found');
    }
  });
});
