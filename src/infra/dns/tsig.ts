/**
 * TSIG (RFC 8945) with HMAC-SHA256 / HMAC-SHA512: sign a request, check the answer's MAC.
 * Written here because no maintained npm DNS package signs TSIG (see rfc2136.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { CLASS, TYPE, encodeName, encodeRecord, u16, u32, u48 } from './wire.js';
import type { TsigRecord } from './update-message.js';

export type TsigAlgorithm = 'hmac-sha256' | 'hmac-sha512';
export type TsigKey = { name: string; algorithm: TsigAlgorithm; secret: Buffer };

/** RFC 8945 §10 recommends 300 s. */
export const TSIG_FUDGE_SECONDS = 300;

const hashOf = (algorithm: TsigAlgorithm) => (algorithm === 'hmac-sha256' ? 'sha256' : 'sha512');

/** "TSIG Variables" (RFC 8945 §4.3.3): key name and algorithm in canonical form. */
function variables(keyName: string, algorithm: string, timeSigned: number, fudge: number, error: number, otherData: Buffer): Buffer {
  return Buffer.concat([
    encodeName(keyName), u16(CLASS.ANY), u32(0), encodeName(algorithm),
    u48(timeSigned), u16(fudge), u16(error), u16(otherData.length), otherData,
  ]);
}

const hmac = (key: TsigKey, parts: Buffer[]): Buffer => {
  const h = createHmac(hashOf(key.algorithm), key.secret);
  for (const part of parts) h.update(part);
  return h.digest();
};

/**
 * Appends the TSIG RR to an unsigned message (ARCOUNT + 1) — RFC 8945 §5.1. The MAC covers
 * the message as it was before the TSIG RR, then the TSIG variables. Returns the MAC too:
 * the answer's MAC is computed over it (§5.3).
 */
export function signMessage(message: Buffer, key: TsigKey, timeSigned: number): { signed: Buffer; mac: Buffer } {
  const mac = hmac(key, [message, variables(key.name, key.algorithm, timeSigned, TSIG_FUDGE_SECONDS, 0, Buffer.alloc(0))]);
  const rdata = Buffer.concat([
    encodeName(key.algorithm), u48(timeSigned), u16(TSIG_FUDGE_SECONDS), u16(mac.length), mac,
    u16(message.readUInt16BE(0)), u16(0), u16(0),
  ]);
  const header = Buffer.from(message.subarray(0, 12));
  header.writeUInt16BE(header.readUInt16BE(10) + 1, 10);
  const tsig = encodeRecord({ name: key.name, type: TYPE.TSIG, class: CLASS.ANY, ttl: 0, rdata });
  return { signed: Buffer.concat([header, message.subarray(12), tsig]), mac };
}

/**
 * Checks a signed answer (RFC 8945 §5.3, §5.4): same key and algorithm, MAC over the request's
 * MAC (with its length), the answer without its TSIG RR (ARCOUNT − 1, ID = Original ID) and the
 * variables, and a time within the fudge. Returns what is wrong, or undefined when it holds.
 */
export function checkSignedResponse(
  response: Buffer, tsig: TsigRecord, key: TsigKey, requestMac: Buffer, nowSeconds: number,
): string | undefined {
  if (tsig.keyName !== key.name) return `signed with key "${tsig.keyName}", not "${key.name}"`;
  if (tsig.algorithm !== key.algorithm) return `signed with ${tsig.algorithm}, not ${key.algorithm}`;
  const unsigned = Buffer.from(response.subarray(0, tsig.start));
  unsigned.writeUInt16BE(tsig.originalId, 0);
  unsigned.writeUInt16BE(unsigned.readUInt16BE(10) - 1, 10);
  const expected = hmac(key, [
    u16(requestMac.length), requestMac, unsigned,
    variables(tsig.keyName, tsig.algorithm, tsig.timeSigned, tsig.fudge, tsig.error, tsig.otherData),
  ]);
  if (tsig.mac.length !== expected.length || !timingSafeEqual(tsig.mac, expected)) return 'the MAC does not verify';
  if (Math.abs(nowSeconds - tsig.timeSigned) > tsig.fudge) return `signed at ${tsig.timeSigned}, more than ${tsig.fudge} s from now (${nowSeconds})`;
  return undefined;
}
