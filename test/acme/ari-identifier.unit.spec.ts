/** RFC 9773 §4.1 certificate identifier, checked against the RFC's own example (Appendix A). */
import { describe, expect, it } from 'vitest';
import { AriError, ariCertificateIdentifier, ariIdentifierFromParts, parseRenewalInfo, serialDerBytes } from '../../src/infra/acme/ari.js';

// RFC 9773 Appendix A: AKI keyIdentifier 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4, serial 0x87654321.
const RFC_EXAMPLE_CERT = `-----BEGIN CERTIFICATE-----
MIIBQzCB66ADAgECAgUAh2VDITAKBggqhkjOPQQDAjAVMRMwEQYDVQQDEwpFeGFt
cGxlIENBMCIYDzAwMDEwMTAxMDAwMDAwWhgPMDAwMTAxMDEwMDAwMDBaMBYxFDAS
BgNVBAMTC2V4YW1wbGUuY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEeBZu
7cbpAYNXZLbbh8rNIzuOoqOOtmxA1v7cRm//AwyMwWxyHz4zfwmBhcSrf47NUAFf
qzLQ2PPQxdTXREYEnKMjMCEwHwYDVR0jBBgwFoAUaYhba4dGQEHhs3uEe6CuLN4B
yNQwCgYIKoZIzj0EAwIDRwAwRAIge09+S5TZAlw5tgtiVvuERV6cT4mfutXIlwTb
+FYN/8oCIClDsqBklhB9KAelFiYt9+6FDj3z4KGVelYM5MdsO3pK
-----END CERTIFICATE-----`;
const RFC_EXAMPLE_ID = 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE';

describe('ARI certificate identifier (RFC 9773 §4.1)', () => {
  it('matches the RFC example from the certificate', () => {
    expect(ariCertificateIdentifier(RFC_EXAMPLE_CERT)).toBe(RFC_EXAMPLE_ID);
  });

  it('matches the RFC example from its parts, and keeps the DER sign byte of the serial', () => {
    expect(ariIdentifierFromParts('69885b6b87464041e1b37b847ba0ae2cde01c8d4', '87654321')).toBe(RFC_EXAMPLE_ID);
    expect(ariIdentifierFromParts('69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4', '0087654321')).toBe(RFC_EXAMPLE_ID);
    expect(Buffer.from(serialDerBytes('87654321')).toString('hex')).toBe('0087654321');
    expect(Buffer.from(serialDerBytes('00007f')).toString('hex')).toBe('7f');
    expect(Buffer.from(serialDerBytes('0')).toString('hex')).toBe('00');
  });

  it('is url-safe and unpadded', () => {
    expect(ariIdentifierFromParts('fbffbf', 'fbff')).toBe('-_-_.APv_');
  });

  it('refuses a certificate without an Authority Key Identifier', () => {
    expect(() => ariIdentifierFromParts('', '01')).toThrow(AriError);
    expect(() => ariCertificateIdentifier('not a certificate')).toThrow(AriError);
  });
});

describe('renewalInfo body (RFC 9773 §4.2)', () => {
  it('reads the window and the explanation URL', () => {
    expect(parseRenewalInfo({ suggestedWindow: { start: '2025-01-02T04:00:00Z', end: '2025-01-03T04:00:00Z' }, explanationURL: 'https://acme.example.com/docs/ari' })).toEqual({
      suggestedWindow: { start: '2025-01-02T04:00:00.000Z', end: '2025-01-03T04:00:00.000Z' },
      explanationUrl: 'https://acme.example.com/docs/ari',
    });
  });

  it('refuses a missing or inverted window', () => {
    expect(() => parseRenewalInfo({})).toThrow(AriError);
    expect(() => parseRenewalInfo({ suggestedWindow: { start: '2025-01-03T04:00:00Z', end: '2025-01-02T04:00:00Z' } })).toThrow(/ends before/);
  });
});
