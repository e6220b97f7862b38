/**
 * RFC 2136 UPDATE encoding and TSIG (RFC 8945) against an independent implementation:
 * the vectors are dnspython 2.3's (Debian python3-dnspython) for the same update —
 * zone example.test, add TXT "LoqX…uX0" TTL 60 and delete TXT "old-value" at
 * _acme-challenge.www.example.test, id 0x1234, key "certledger-test" = bytes 0..31, fudge 300,
 * signed at 1700000000 — with its name compression turned off (ours never compresses), and
 * dnspython's signed response to that request (signed at 1700000001).
 */
import { describe, expect, it } from 'vitest';
import { checkSignedResponse, signMessage, type TsigAlgorithm } from '../../src/infra/dns/tsig.js';
import { encodeUpdate, parseResponse } from '../../src/infra/dns/update-message.js';
import { WireReader, rcodeName } from '../../src/infra/dns/wire.js';

const secret = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const VECTORS: Record<TsigAlgorithm, { request: string; response: string }> = {
  'hmac-sha256': {
    request: '123428000001000000020001076578616d706c65047465737400000600010f5f61636d652d6368616c6c656e676503777777076578616d706c65047465737400001000010000003c002c2b4c6f71586359563871354f4e624a5178626d52375343544e6f337469415844666f77796a78416a457558300f5f61636d652d6368616c6c656e676503777777076578616d706c65047465737400001000fe00000000000a096f6c642d76616c75650f636572746c65646765722d746573740000fa00ff00000000003d0b686d61632d7368613235360000006553f100012c0020c6ef66b40270af378b3182940d872e3f735b57e92fbd2aa72f1fa9a07ee09d0e123400000000',
    response: '1234a8000001000000000001076578616d706c65047465737400000600010f636572746c65646765722d746573740000fa00ff00000000003d0b686d61632d7368613235360000006553f101012c0020442c539d4c367265bc1f46d7f5eb84f59fffb2a59914a6bfda5ec977b0a29013123400000000',
  },
  'hmac-sha512': {
    request: '123428000001000000020001076578616d706c65047465737400000600010f5f61636d652d6368616c6c656e676503777777076578616d706c65047465737400001000010000003c002c2b4c6f71586359563871354f4e624a5178626d52375343544e6f337469415844666f77796a78416a457558300f5f61636d652d6368616c6c656e676503777777076578616d706c65047465737400001000fe00000000000a096f6c642d76616c75650f636572746c65646765722d746573740000fa00ff00000000005d0b686d61632d7368613531320000006553f100012c00409e925d3234caa5e35faffdd8ee76de6f5459238ae7a92c557103efe7f0b800e6f5328f82b2b8c3a8134ea2b4efd740f68f7f1582a423a140eb1d2984fbb83a23123400000000',
    response: '1234a8000001000000000001076578616d706c65047465737400000600010f636572746c65646765722d746573740000fa00ff00000000005d0b686d61632d7368613531320000006553f101012c0040c4d618a0098c6f5c1dda5171826964a7ffc297a1c338b863d701d56e09d96b531e6347b43310a678ba98a72d88b1d2a0ef7a078f8dec2d241519ee9854b78e8e123400000000',
  },
};

const update = () => encodeUpdate(0x1234, 'example.test', [
  { op: 'add', name: '_acme-challenge.www.example.test', value: 'LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0', ttl: 60 },
  { op: 'delete', name: '_acme-challenge.www.example.test', value: 'old-value', ttl: 60 },
]);

describe.each(Object.keys(VECTORS) as TsigAlgorithm[])('%s', (algorithm) => {
  const key = { name: 'certledger-test', algorithm, secret };
  const vector = VECTORS[algorithm];

  it('signs the update byte for byte as dnspython does', () => {
    expect(signMessage(update(), key, 1_700_000_000).signed.toString('hex')).toBe(vector.request);
  });

  it("accepts dnspython's signed response, and reads its header and TSIG", () => {
    const { mac } = signMessage(update(), key, 1_700_000_000);
    const response = Buffer.from(vector.response, 'hex');
    const parsed = parseResponse(response);
    expect(parsed).toMatchObject({ id: 0x1234, isResponse: true, opcode: 5, rcode: 0, additionalCount: 1 });
    expect(parsed.tsig).toMatchObject({ keyName: 'certledger-test', algorithm, timeSigned: 1_700_000_001, fudge: 300, originalId: 0x1234, error: 0 });
    expect(checkSignedResponse(response, parsed.tsig!, key, mac, 1_700_000_001)).toBeUndefined();
  });

  it('refuses a response with one bit changed, for another request, by another key, or out of time', () => {
    const { mac } = signMessage(update(), key, 1_700_000_000);
    const response = Buffer.from(vector.response, 'hex');
    const tampered = Buffer.from(response);
    tampered[3] = tampered[3]! | 0x05; // rcode REFUSED
    expect(checkSignedResponse(tampered, parseResponse(tampered).tsig!, key, mac, 1_700_000_001)).toMatch(/MAC/);
    const otherMac = Buffer.from(mac).fill(0);
    expect(checkSignedResponse(response, parseResponse(response).tsig!, key, otherMac, 1_700_000_001)).toMatch(/MAC/);
    const otherKey = { ...key, secret: Buffer.alloc(32, 7) };
    expect(checkSignedResponse(response, parseResponse(response).tsig!, otherKey, mac, 1_700_000_001)).toMatch(/MAC/);
    expect(checkSignedResponse(response, parseResponse(response).tsig!, { ...key, name: 'other' }, mac, 1_700_000_001)).toMatch(/key "certledger-test"/);
    expect(checkSignedResponse(response, parseResponse(response).tsig!, key, mac, 1_700_000_001 + 301)).toMatch(/more than 300 s/);
  });
});

describe('UPDATE message (RFC 2136 §2)', () => {
  it('has opcode UPDATE, one zone (SOA/IN), no prerequisites, the updates, no additional records until signed', () => {
    const message = update();
    expect(message.readUInt16BE(2)).toBe(5 << 11);
    expect([4, 6, 8, 10].map((at) => message.readUInt16BE(at))).toEqual([1, 0, 2, 0]);
  });

  it('deletes one RR with class NONE and TTL 0 (§2.5.4), adds with class IN and the TTL', () => {
    const add = encodeUpdate(1, 'example.test', [{ op: 'add', name: 'a.example.test', value: 'v', ttl: 60 }]);
    const del = encodeUpdate(1, 'example.test', [{ op: 'delete', name: 'a.example.test', value: 'v', ttl: 60 }]);
    const rr = (m: Buffer) => m.subarray(12 + 14 + 4); // header, zone name (14 octets), type and class
    expect(rr(add).toString('hex')).toBe('0161076578616d706c6504746573740000100001' + '0000003c' + '0002' + '0176');
    expect(rr(del).toString('hex')).toBe('0161076578616d706c650474657374000010' + '00fe' + '00000000' + '0002' + '0176');
  });
});

describe('reading answers', () => {
  it('follows name compression pointers (RFC 1035 §4.1.4) and stops on loops', () => {
    const message = Buffer.from([
      ...Buffer.from('076578616d706c650474657374' + '00', 'hex'), // example.test at 0
      0x01, 0x61, 0xc0, 0x00, // a.<pointer to 0> at 14
      0xc0, 0x12, // a loop: points at itself (offset 18)
    ]);
    const reader = new WireReader(message, 14);
    expect(reader.name()).toBe('a.example.test');
    expect(reader.offset).toBe(18);
    expect(() => new WireReader(message, 18).name()).toThrow(/loop/);
  });

  it('throws on a short message instead of reading past its end', () => {
    expect(() => parseResponse(Buffer.from('1234a800', 'hex'))).toThrow(RangeError);
  });

  it('names RCODEs and TSIG errors', () => {
    expect([9, 5, 10, 16, 17, 18, 42].map(rcodeName)).toEqual(['NOTAUTH', 'REFUSED', 'NOTZONE', 'BADSIG', 'BADKEY', 'BADTIME', 'RCODE42']);
  });
});
