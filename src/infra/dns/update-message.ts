/** An RFC 2136 UPDATE for TXT values, and the reading of the server's answer. */
import { CLASS, OPCODE_UPDATE, TYPE, WireReader, encodeHeader, encodeName, encodeRecord, txtRdata, u16 } from './wire.js';

export type TxtChange = { op: 'add' | 'delete'; name: string; value: string; ttl: number };

/**
 * Zone section = the zone's SOA question (RFC 2136 §2.3); no prerequisites; each change is
 * an add (class IN, RFC 2136 §2.5.1) or a delete of that one RR (class NONE, TTL 0, §2.5.4),
 * so other values on the same name stay. Unsigned: the TSIG record goes on after.
 */
export function encodeUpdate(id: number, zone: string, changes: TxtChange[]): Buffer {
  const zoneSection = Buffer.concat([encodeName(zone), u16(TYPE.SOA), u16(CLASS.IN)]);
  const updates = changes.map((change) => encodeRecord({
    name: change.name,
    type: TYPE.TXT,
    class: change.op === 'add' ? CLASS.IN : CLASS.NONE,
    ttl: change.op === 'add' ? change.ttl : 0,
    rdata: txtRdata(change.value),
  }));
  return Buffer.concat([encodeHeader(id, OPCODE_UPDATE << 11, [1, 0, changes.length, 0]), zoneSection, ...updates]);
}

export type TsigRecord = {
  /** Offset of the TSIG RR: what precedes it is the message the MAC covers (RFC 8945 §4.3.3). */
  start: number;
  keyName: string;
  algorithm: string;
  timeSigned: number;
  fudge: number;
  mac: Buffer;
  originalId: number;
  error: number;
  otherData: Buffer;
};

export type DnsResponse = { id: number; isResponse: boolean; opcode: number; rcode: number; additionalCount: number; tsig?: TsigRecord };

/** Header, sections skipped, and the TSIG RR if the last additional record is one (RFC 8945 §5.3). */
export function parseResponse(message: Buffer): DnsResponse {
  const reader = new WireReader(message);
  const id = reader.u16();
  const flags = reader.u16();
  const [qd, an, ns, ar] = [reader.u16(), reader.u16(), reader.u16(), reader.u16()];
  for (let i = 0; i < qd; i += 1) { reader.name(); reader.u32(); }
  let tsig: TsigRecord | undefined;
  for (let i = 0; i < an + ns + ar; i += 1) {
    const start = reader.offset;
    const owner = reader.name();
    const type = reader.u16();
    reader.u16(); // class
    reader.u32(); // TTL
    const rdata = new WireReader(reader.bytes(reader.u16()), 0);
    if (type !== TYPE.TSIG || i !== an + ns + ar - 1) continue;
    // Names inside TSIG RDATA are never compressed, so a reader over the RDATA alone is enough.
    tsig = {
      start, keyName: owner, algorithm: rdata.name(), timeSigned: rdata.u48(), fudge: rdata.u16(),
      mac: Buffer.from(rdata.bytes(rdata.u16())), originalId: rdata.u16(), error: rdata.u16(),
      otherData: Buffer.from(rdata.bytes(rdata.u16())),
    };
  }
  return { id, isResponse: (flags & 0x8000) !== 0, opcode: (flags >> 11) & 0xf, rcode: flags & 0xf, additionalCount: ar, tsig };
}
