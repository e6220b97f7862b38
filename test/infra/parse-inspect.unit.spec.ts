import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { describe, expect, it } from 'vitest';
import { compatPagination } from '../../src/http/queries/peter-sslers-json.js';
import { inspect } from '../../src/infra/x509/inspect.js';
import { X509ParseError } from '../../src/infra/x509/pem.js';
import { createTestChain } from '../support/pki.js';

/** A TLS SignedCertificateTimestampList (RFC 6962 §3.3) of `count` dummy SCTs, inside its OCTET STRING. */
function sctListExtension(count: number, valid = true): x509.Extension {
  const scts = Array.from({ length: count }, (_, i) => Buffer.alloc(47, i + 1));
  const body = Buffer.concat(scts.map((sct) => Buffer.concat([Buffer.from([0, sct.length]), sct])));
  const list = Buffer.concat([Buffer.from([body.length >> 8, valid ? body.length & 0xff : (body.length + 1) & 0xff]), body]);
  const octetString = Buffer.concat([Buffer.from([0x04, 0x81, list.length]), list]);
  return new x509.Extension('1.3.6.1.4.1.11129.2.4.2', false, octetString);
}

async function selfSignedWith(extensions: x509.Extension[]): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    { serialNumber: '01', name: 'CN=sct.parse.test', keys, signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' }, extensions },
    webcrypto as never,
  );
  return cert.toString('pem');
}

describe('parse.json inspection', () => {
  it('counts the embedded signed certificate timestamps, and gives null when the list is malformed', async () => {
    const two = await inspect(Buffer.from(await selfSignedWith([sctListExtension(2)])));
    expect(two.kind === 'certificate' && two.extensions.sct_count).toBe(2);
    const broken = await inspect(Buffer.from(await selfSignedWith([sctListExtension(2, false)])));
    expect(broken.kind === 'certificate' && broken.extensions.sct_count).toBeNull();
    expect(broken.kind === 'certificate' && broken.extensions.all.map((e) => e.oid)).toEqual(['1.3.6.1.4.1.11129.2.4.2']);
  });

  it('reads an EC key with its curve parameters block, and refuses several objects or encrypted keys', async () => {
    const chain = await createTestChain({ keyAlgorithm: 'EC' });
    const ecParameters = '-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n';
    expect(await inspect(Buffer.from(ecParameters + chain.leaf.keySec1Pem))).toMatchObject({ kind: 'private_key', key_technology: 'EC_P256', modulus_md5: null });
    await expect(inspect(Buffer.from(chain.fullChainPem))).rejects.toThrow(/2 PEM blocks/);
    await expect(inspect(Buffer.from('-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n'))).rejects.toThrow(/encrypted/);
    await expect(inspect(Buffer.from([0xde, 0xad]))).rejects.toBeInstanceOf(X509ParseError);
  });

  it('paginates like peter_sslers: `page` is the number of pages, `page_next` the next page or null', () => {
    expect(compatPagination(0, 1)).toEqual({ total_items: 0, page: 0, page_next: null });
    expect(compatPagination(50, 1)).toEqual({ total_items: 50, page: 1, page_next: null });
    expect(compatPagination(51, 1)).toEqual({ total_items: 51, page: 2, page_next: 2 });
    expect(compatPagination(51, 2)).toEqual({ total_items: 51, page: 2, page_next: null });
  });
});
