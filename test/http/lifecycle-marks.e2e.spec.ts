import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, json, startTestStack, type TestStack } from '../support/app.js';
import { createTestChain, type TestChain } from '../support/pki.js';
import * as x509 from '@peculiar/x509';

const PREFIX = '/.well-known/peter_sslers';
const DAY = 86_400_000;
const MISSING = '00000000-0000-8000-8000-000000000000';

/** A second certificate on the same key as `chain.leaf`, signed by the same intermediate. */
async function reissueOnSameKey(chain: TestChain, names: string[], notAfter: Date): Promise<string> {
  const issuer = chain.intermediate;
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: `01${randomBytes(15).toString('hex')}`,
    subject: [{ CN: [names[0]!] }],
    issuer: issuer.cert.subjectName,
    notBefore: new Date(Date.now() - DAY),
    notAfter,
    publicKey: chain.leaf.keys.publicKey,
    signingKey: issuer.keys.privateKey,
    signingAlgorithm: { name: issuer.keys.privateKey.algorithm.name, hash: 'SHA-256' },
    extensions: [new x509.SubjectAlternativeNameExtension(names.map((value) => ({ type: 'dns' as const, value })))],
  });
  return `${cert.toString('pem')}\n`;
}

describe.each(['pglite', 'postgres'] as const)('lifecycle marks on %s', (kind) => {
  let stack: TestStack;
  const run = randomBytes(4).toString('hex');
  const name = (label: string) => `${label}-${run}.marks.test`;

  const upload = async (c: TestChain, certPem = c.leaf.certPem) => {
    const res = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/upload.json`, {
      method: 'POST', body: form({ private_key_file: c.leaf.keyPem, certificate_file: certPem, chain_file: c.chainPem }),
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    return { certificateId: body.certificate.id as string, privateKeyId: body.private_key.id as string };
  };
  const post = (path: string, body?: unknown) => fetch(`${stack.admin.url}${path}`, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const postForm = (path: string, fields: Record<string, string>) => fetch(`${stack.admin.url}${PREFIX}${path}`, { method: 'POST', body: form(fields) });
  const config = async (domain: string) => json(await fetch(`${stack.admin.url}${PREFIX}/domain/${domain}/config.json?idonly=1`));
  const latestSingle = async (domain: string) => (await config(domain)).certificate_signed__latest_single?.id ?? null;
  const head = () => stack.deps.store.headPosition();

  beforeAll(async () => {
    stack = await startTestStack(kind, { redis: true });
  });
  afterAll(async () => stack?.close());

  it('deactivating hands the domain to its next-best certificate, then to none; twice is one event', async () => {
    const domain = name('fallback');
    const late = await upload(await createTestChain({ names: [domain], notAfter: new Date(Date.now() + 60 * DAY) }));
    const early = await upload(await createTestChain({ names: [domain], notAfter: new Date(Date.now() + 30 * DAY) }));
    expect(await latestSingle(domain)).toBe(late.certificateId);

    const res = await post(`/api/v1/certificates/${late.certificateId}/deactivate`, { reason: 'moved to another CA', actor: 'alice' });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({
      result: 'success',
      changed: true,
      certificate: { id: late.certificateId, is_active: false, is_revoked: false, deactivation_reason: 'moved to another CA' },
      domains: [{ domain_name: domain, certificate_latest_single_id: early.certificateId }],
    });
    expect(await latestSingle(domain)).toBe(early.certificateId);

    const events = await stack.deps.store.readStream(`certificate-${late.certificateId}`);
    expect(events.at(-1)).toMatchObject({ type: 'CertificateDeactivated', metadata: { actor: 'api:alice' }, data: { actor: 'api:alice', cause: 'manual' } });

    const before = await head();
    const again = await json(await post(`/api/v1/certificates/${late.certificateId}/deactivate`, { reason: 'moved to another CA' }));
    expect(again).toMatchObject({ changed: false, domains: [] });
    expect(await head()).toBe(before);

    await post(`/api/v1/certificates/${early.certificateId}/deactivate`, { reason: 'no longer needed' });
    expect(await latestSingle(domain)).toBeNull();

    const activated = await json(await post(`/api/v1/certificates/${late.certificateId}/activate`, { reason: 'back again' }));
    expect(activated).toMatchObject({ changed: true, certificate: { is_active: true, deactivation_reason: null } });
    expect(activated.domains).toMatchObject([{ domain_name: domain, certificate_latest_single_id: late.certificateId }]);
    expect(await latestSingle(domain)).toBe(late.certificateId);
  });

  it('revocation is permanent: activating a revoked certificate is a 409 with a clear message', async () => {
    const domain = name('revoked');
    const { certificateId } = await upload(await createTestChain({ names: [domain] }));
    const revoked = await json(await post(`/api/v1/certificates/${certificateId}/revoke`, { reason: 'key leaked' }));
    expect(revoked).toMatchObject({ changed: true, certificate: { is_active: false, is_revoked: true }, domains: [{ domain_name: domain, certificate_latest_single_id: null }] });

    const refused = await post(`/api/v1/certificates/${certificateId}/activate`, { reason: 'oops' });
    expect(refused.status).toBe(409);
    expect(await json(refused)).toMatchObject({ result: 'error', code: 'illegal_state', message: `certificate ${certificateId} is revoked and cannot be activated` });

    const before = await head();
    expect((await json(await post(`/api/v1/certificates/${certificateId}/revoke`, { reason: 'key leaked' }))).changed).toBe(false);
    expect((await json(await post(`/api/v1/certificates/${certificateId}/deactivate`, { reason: 'again' }))).changed).toBe(false);
    expect(await head()).toBe(before);

    const compat = await postForm(`/certificate-signed/${certificateId}/mark.json`, { action: 'active' });
    expect(compat.status).toBe(409);
  });

  it('refuses bad input: unknown ids 404 JSON, a missing, blank or long reason 400 naming reason', async () => {
    const { certificateId } = await upload(await createTestChain({ names: [name('refusals')] }));
    for (const id of [MISSING, 'not-an-id']) {
      const res = await post(`/api/v1/certificates/${id}/deactivate`, { reason: 'x' });
      expect(res.status).toBe(404);
      expect(await json(res)).toMatchObject({ result: 'error', code: 'not_found' });
    }
    expect((await post(`/api/v1/private-keys/${MISSING}/compromise`, { reason: 'x' })).status).toBe(404);
    expect((await post(`/api/v1/domains/${name('never-seen')}/deactivate`, { reason: 'x' })).status).toBe(404);
    expect((await fetch(`${stack.admin.url}/api/v1/private-keys/${MISSING}`)).status).toBe(404);

    const bad: [unknown, string][] = [[undefined, 'reason'], [{}, 'reason'], [{ reason: '   ' }, 'reason'], [{ reason: 'x'.repeat(1001) }, 'reason'], [{ reason: 'ok', extra: 1 }, 'extra']];
    for (const [body, field] of bad) {
      const res = await post(`/api/v1/certificates/${certificateId}/deactivate`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await json(res)).form_errors).toHaveProperty(field);
    }
    const badName = await post('/api/v1/domains/bad..name/deactivate', { reason: 'x' });
    expect(badName.status).toBe(400);
    expect((await json(badName)).form_errors).toHaveProperty('domain');
    expect((await json(await fetch(`${stack.admin.url}/api/v1/certificates/${certificateId}`))).certificate.is_active).toBe(true);
  });

  it('speaks peter_sslers mark.json: action forms, multipart or urlencoded, with its answer shapes', async () => {
    const domain = name('compat');
    const { certificateId } = await upload(await createTestChain({ names: [domain] }));
    const inactive = await postForm(`/certificate-signed/${certificateId}/mark.json`, { action: 'inactive' });
    expect(inactive.status).toBe(200);
    expect(await json(inactive)).toMatchObject({
      result: 'success',
      CertificateSigned: { id: certificateId, is_active: false, is_deactivated: true, is_revoked: false, domains_as_list: [domain] },
    });
    const events = await stack.deps.store.readStream(`certificate-${certificateId}`);
    expect(events.at(-1)).toMatchObject({ metadata: { actor: 'peter_sslers' }, data: { reason: 'peter_sslers certificate-signed mark.json action=inactive' } });

    const urlencoded = await fetch(`${stack.admin.url}${PREFIX}/certificate-signed/${certificateId}/mark.json`, {
      method: 'POST', body: new URLSearchParams({ action: 'active', reason: 'renewed by hand' }),
    });
    expect((await json(urlencoded)).CertificateSigned.is_active).toBe(true);

    for (const [fields, status] of [[{ action: 'bogus' }, 400], [{}, 400], [{ action: 'unrevoke' }, 400], [{ action: 'inactive', reason: ' ' }, 400]] as const) {
      const res = await postForm(`/certificate-signed/${certificateId}/mark.json`, fields);
      expect(res.status, JSON.stringify(fields)).toBe(status);
      expect(Object.keys((await json(res)).form_errors)).toEqual([Object.keys(fields).includes('reason') ? 'reason' : 'action']);
    }
    expect((await postForm(`/certificate-signed/${MISSING}/mark.json`, { action: 'inactive' })).status).toBe(404);

    const revoked = await json(await postForm(`/certificate-signed/${certificateId}/mark.json`, { action: 'revoked' }));
    expect(revoked.CertificateSigned).toMatchObject({ is_active: false, is_revoked: true });
  });

  it('a deactivated domain answers is_active false with no certificates and is not primed', async () => {
    const domain = name('paused');
    const { certificateId } = await upload(await createTestChain({ names: [domain] }));
    const off = await json(await post(`/api/v1/domains/${domain}/deactivate`, { reason: 'customer left' }));
    expect(off).toMatchObject({ result: 'success', changed: true, domain: { domain_name: domain, is_active: false, certificate_latest_single_id: certificateId } });

    const res = await fetch(`${stack.admin.url}${PREFIX}/domain/${domain}/config.json?openresty=1`);
    expect(res.status).toBe(200);
    const payload = await json(res);
    expect(payload.domain).toEqual({ id: off.domain.id, domain_name: domain, is_active: false });
    expect(payload.certificate_signed__latest_single).toBeNull();
    expect(payload.certificate_signed__latest_multi).toBeNull();
    expect(await stack.redis!.exists(`d1:${domain}`, `d2:${domain}`)).toBe(0);

    const before = await head();
    expect((await json(await post(`/api/v1/domains/${off.domain.id}/deactivate`, { reason: 'customer left' }))).changed).toBe(false);
    expect(await head()).toBe(before);

    const on = await postForm(`/domain/${domain}/mark.json`, { action: 'active' });
    expect(await json(on)).toMatchObject({ result: 'success', Domain: { domain_name: domain, is_active: true, certificate_signed_id__latest_single: certificateId } });
    expect((await config(domain)).domain.is_active).toBe(true);
    expect(await latestSingle(domain)).toBe(certificateId);
    expect((await postForm(`/domain/${domain}/mark.json`, { action: 'paused' })).status).toBe(400);
  });

  it('a compromised key lists every certificate using it as needing replacement', async () => {
    const domain = name('leaky');
    const chain = await createTestChain({ names: [domain] });
    const first = await upload(chain);
    const second = await upload(chain, await reissueOnSameKey(chain, [domain, `www.${domain}`], new Date(Date.now() + 45 * DAY)));
    expect(second.privateKeyId).toBe(first.privateKeyId);

    const view = await json(await fetch(`${stack.admin.url}/api/v1/private-keys/${first.privateKeyId}`));
    expect(view.private_key).toMatchObject({ id: first.privateKeyId, is_compromised: false, compromised_reason: null });
    expect(view.certificates.map((c: { needs_replacement: boolean }) => c.needs_replacement)).toEqual([false, false]);

    const marked = await json(await post(`/api/v1/private-keys/${first.privateKeyId}/compromise`, { reason: 'laptop stolen' }));
    expect(marked).toMatchObject({ result: 'success', changed: true, private_key: { is_compromised: true, compromised_reason: 'laptop stolen' } });
    expect(marked.certificates.map((c: { id: string }) => c.id).sort()).toEqual([first.certificateId, second.certificateId].sort());
    expect(marked.certificates.every((c: { needs_replacement: boolean }) => c.needs_replacement)).toBe(true);
    expect((await json(await fetch(`${stack.admin.url}/api/v1/private-keys/${first.privateKeyId}`))).certificates).toEqual(marked.certificates);

    const before = await head();
    const compat = await json(await postForm(`/private-key/${first.privateKeyId}/mark.json`, { action: 'compromised' }));
    expect(compat).toMatchObject({ result: 'success', PrivateKey: { id: first.privateKeyId, is_compromised: true, is_active: false } });
    expect(await head()).toBe(before);
    expect((await postForm(`/private-key/${first.privateKeyId}/mark.json`, { action: 'inactive' })).status).toBe(400);
  });
});
