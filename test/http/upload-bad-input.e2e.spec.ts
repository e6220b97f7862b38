import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCa, createTestChain, issueLeaf, type TestChain } from '../support/pki.js';
import { form, json, startTestStack, type TestStack } from '../support/app.js';

const URL_PATH = '/.well-known/peter_sslers/certificate-signed/upload.json';

describe('bad uploads get a 400 naming the field and store nothing', () => {
  let stack: TestStack;
  let good: TestChain;
  let other: TestChain;

  beforeAll(async () => {
    stack = await startTestStack('pglite');
    good = await createTestChain({ names: ['good.example.test'] });
    other = await createTestChain({ names: ['other.example.test'] });
  });
  afterAll(async () => stack?.close());

  const stored = async () => {
    const vault = await sql<{ n: string }>`select count(*)::text as n from key_vault`.execute(stack.handle.db);
    return { head: await stack.deps.store.headPosition(), vault: vault.rows[0]!.n };
  };

  const expectRejected = async (body: FormData | string, field: string, problem: RegExp, contentType?: string) => {
    const before = await stored();
    const res = await fetch(`${stack.admin.url}${URL_PATH}`, {
      method: 'POST',
      body,
      headers: contentType ? { 'content-type': contentType } : undefined,
    });
    expect(res.status).toBe(400);
    const answer = await json(res);
    expect(answer.result).toBe("error");
    expect(answer.form_errors[field]).toMatch(problem);
    expect(await stored()).toEqual(before);
  };

  const files = () => ({ private_key_file: good.leaf.keyPem, certificate_file: good.leaf.certPem, chain_file: good.chainPem });

  it('missing file', async () => {
    const { chain_file: _omit, ...rest } = files();
    await expectRejected(form(rest), 'chain_file', /required/);
  });

  it('malformed PEM', async () => {
    const lines = good.leaf.certPem.split('\n');
    const broken = [...lines.slice(0, 3), ...lines.slice(5)].join('\n');
    expect(broken).not.toBe(good.leaf.certPem);
    await expectRejected(form({ ...files(), certificate_file: broken }), 'certificate_file', /./);
    await expectRejected(form({ ...files(), private_key_file: 'not a key' }), 'private_key_file', /./);
  });

  it('a key that does not match the certificate', async () => {
    await expectRejected(form({ ...files(), private_key_file: other.leaf.keyPem }), 'private_key_file', /does not match/);
  });

  it('a chain that does not sign the certificate', async () => {
    await expectRejected(form({ ...files(), chain_file: other.chainPem }), 'chain_file', /issue|sign/);
  });

  it('a CA certificate given as the leaf', async () => {
    await expectRejected(
      form({ ...files(), certificate_file: good.intermediate.certPem, private_key_file: good.intermediate.keyPem, chain_file: good.root.certPem }),
      'certificate_file',
      /CA certificate/,
    );
  });

  it('a leaf in the chain', async () => {
    const ca = await createCa();
    const stray = await issueLeaf(ca, { names: ['stray.example.test'] });
    await expectRejected(form({ ...files(), chain_file: good.chainPem + stray.certPem }), 'chain_file', /./);
  });

  it('an upload over 1 MiB', async () => {
    await expectRejected(form({ ...files(), chain_file: good.chainPem + 'x'.repeat(1024 * 1024) }), 'chain_file', /1 MiB/);
  });

  it('an unknown or duplicated form field', async () => {
    const unknown = form(files());
    unknown.append('surprise', new Blob(['x']), 'x.pem');
    await expectRejected(unknown, 'surprise', /unknown field/);
    const duplicated = form(files());
    duplicated.append('chain_file', new Blob([good.chainPem]), 'again.pem');
    await expectRejected(duplicated, 'chain_file', /more than once/);
  });

  it('a body that is not multipart', async () => {
    await expectRejected(JSON.stringify(files()), '_form', /multipart/, 'application/json');
  });

  it('still accepts the good upload afterwards', async () => {
    const res = await fetch(`${stack.admin.url}${URL_PATH}`, { method: 'POST', body: form(files()) });
    expect(res.status).toBe(200);
  });
});
