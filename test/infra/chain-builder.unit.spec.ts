import { beforeAll, describe, expect, it } from 'vitest';
import { parseCertificate, type ParsedCertificate } from '../../src/infra/x509/certificate.js';
import { buildChains, buildTrustPaths, findIssuers } from '../../src/infra/x509/chain-builder.js';
import { createCa, issueLeaf, type TestCa, type TestLeaf } from '../support/pki.js';

const parse = (x: TestCa | TestLeaf): ParsedCertificate => parseCertificate(x.certPem);
const names = (path: readonly ParsedCertificate[]) => path.map((c) => c.fingerprintSha256);
const fp = (x: TestCa) => parse(x).fingerprintSha256;

describe('chain building', () => {
  let root: TestCa;
  let intermediate: TestCa;
  let leaf: TestLeaf;

  beforeAll(async () => {
    root = await createCa({ aiaCaIssuersUrl: 'http://127.0.0.1:9/never.cer' });
    intermediate = await createCa({ issuer: root, aiaCaIssuersUrl: 'http://ca.example.test/root.cer' });
    leaf = await issueLeaf(intermediate, { names: ['leaf.example.test'] });
  });

  it('parses the AIA CA Issuers URI and the key identifiers', () => {
    const parsed = parse(intermediate);
    expect(parsed.aiaCaIssuersUrls).toEqual(['http://ca.example.test/root.cer']);
    expect(parsed.authorityKeyId).toBe(parse(root).subjectKeyId);
    expect(parsed.subjectKeyId).toMatch(/^[0-9a-f]+$/);
    expect(parse(leaf).authorityKeyId).toBe(parsed.subjectKeyId);
    expect(parse(leaf).aiaCaIssuersUrls).toEqual([]);
  });

  it('builds root → intermediate → leaf, serving it without the root', async () => {
    const pool = [parse(root), parse(intermediate)];
    const paths = await buildTrustPaths(parse(leaf), pool);
    expect(paths).toHaveLength(1);
    expect(paths[0]!.endsAtRoot).toBe(true);
    expect(names(paths[0]!.caCertificates)).toEqual([fp(intermediate), fp(root)]);
    expect((await buildChains(parse(leaf), pool)).map(names)).toEqual([[fp(intermediate)]]);
  });

  it('stops where no issuer is known, and finds nothing without the issuer', async () => {
    const partial = await buildTrustPaths(parse(leaf), [parse(intermediate)]);
    expect(partial.map((p) => [p.endsAtRoot, names(p.caCertificates)])).toEqual([[false, [fp(intermediate)]]]);
    expect(await buildTrustPaths(parse(leaf), [parse(root)])).toEqual([]);
    expect(await buildTrustPaths(parse(leaf), [])).toEqual([]);
    expect(await buildTrustPaths(parse(root), [parse(root)])).toEqual([]);
  });

  it('keeps the root when the root signed the certificate itself', async () => {
    const direct = await issueLeaf(root, { names: ['direct.example.test'] });
    expect((await buildChains(parse(direct), [parse(root)])).map(names)).toEqual([[fp(root)]]);
  });

  it('ignores a CA with the same name but another key', async () => {
    const impostor = await createCa({ name: intermediate.name, issuer: root });
    expect(await findIssuers(parse(leaf), [parse(impostor)])).toEqual([]);
    expect((await findIssuers(parse(leaf), [parse(impostor), parse(intermediate)])).map((c) => c.fingerprintSha256)).toEqual([fp(intermediate)]);
  });

  it('gives one path per cross-signed twin of the intermediate', async () => {
    const otherRoot = await createCa();
    const twin = await createCa({ name: intermediate.name, keys: intermediate.keys, issuer: otherRoot });
    const pool = [root, otherRoot, intermediate, twin].map(parse);
    const paths = await buildTrustPaths(parse(leaf), pool);
    expect(paths.map((p) => names(p.caCertificates)).sort()).toEqual([[fp(intermediate), fp(root)], [fp(twin), fp(otherRoot)]].sort());
    expect(paths.every((p) => p.endsAtRoot)).toBe(true);
    expect((await buildChains(parse(leaf), pool)).map(names).sort()).toEqual([[fp(intermediate)], [fp(twin)]].sort());
  });

  it('finds the long path through a cross-signed root (the Let\'s Encrypt shape), shortest first', async () => {
    const oldRoot = await createCa({ name: 'Old Root' });
    const crossSigned = await createCa({ name: root.name, keys: root.keys, issuer: oldRoot });
    const pool = [root, oldRoot, crossSigned, intermediate].map(parse);
    const paths = await buildTrustPaths(parse(leaf), pool);
    expect(paths.map((p) => names(p.caCertificates))).toEqual([
      [fp(intermediate), fp(root)],
      [fp(intermediate), fp(crossSigned), fp(oldRoot)],
    ]);
    expect((await buildChains(parse(leaf), pool)).map(names)).toEqual([[fp(intermediate)], [fp(intermediate), fp(crossSigned)]]);
  });

  it('never loops through CAs that cross-sign each other', async () => {
    const p = await createCa();
    const q = await createCa();
    const pByQ = await createCa({ name: p.name, keys: p.keys, issuer: q });
    const qByP = await createCa({ name: q.name, keys: q.keys, issuer: p });
    const looped = await issueLeaf(p, { names: ['loop.example.test'] });
    const paths = await buildTrustPaths(parse(looped), [pByQ, qByP].map(parse));
    expect(paths.map((path) => [path.endsAtRoot, names(path.caCertificates)])).toEqual([[false, [fp(pByQ), fp(qByP)]]]);
  });
});
