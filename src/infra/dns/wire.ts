/**
 * The little of the DNS wire format (RFC 1035 §4.1) that an RFC 2136 update needs: names,
 * resource records, the header, and a reader for the answer. No name compression on the way
 * out (RFC 1035 §4.1.4 allows it, nothing requires it); the reader follows pointers.
 */
export const TYPE = { SOA: 6, TXT: 16, TSIG: 250 } as const;
/** NONE (254) marks "delete this RR" in an update (RFC 2136 §2.5.4); ANY is TSIG's class (RFC 8945 §4.2). */
export const CLASS = { IN: 1, NONE: 254, ANY: 255 } as const;
export const OPCODE_UPDATE = 5;

/** RCODE names (RFC 1035 §4.1.1, RFC 2136 §2.2) and TSIG errors (RFC 8945 §5.2). */
const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED', 6: 'YXDOMAIN',
  7: 'YXRRSET', 8: 'NXRRSET', 9: 'NOTAUTH', 10: 'NOTZONE',
  16: 'BADSIG', 17: 'BADKEY', 18: 'BADTIME', 19: 'BADMODE', 20: 'BADNAME', 21: 'BADALG', 22: 'BADTRUNC',
};
export const rcodeName = (code: number): string => RCODE_NAMES[code] ?? `RCODE${code}`;

/** Uncompressed, lower-case: also the canonical form TSIG digests (RFC 8945 §4.3.3). `name` has no root dot. */
export function encodeName(name: string): Buffer {
  const labels = name === '' ? [] : name.toLowerCase().split('.');
  return Buffer.concat([...labels.flatMap((label) => [Buffer.from([label.length]), Buffer.from(label, 'ascii')]), Buffer.from([0])]);
}

export const u16 = (value: number): Buffer => { const b = Buffer.alloc(2); b.writeUInt16BE(value); return b; };
export const u32 = (value: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32BE(value); return b; };
export const u48 = (value: number): Buffer => { const b = Buffer.alloc(6); b.writeUIntBE(value, 0, 6); return b; };

/** A TXT RDATA of one <character-string> (RFC 1035 §3.3.14). */
export const txtRdata = (text: string): Buffer => {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
};

export type ResourceRecord = { name: string; type: number; class: number; ttl: number; rdata: Buffer };

export const encodeRecord = (rr: ResourceRecord): Buffer =>
  Buffer.concat([encodeName(rr.name), u16(rr.type), u16(rr.class), u32(rr.ttl), u16(rr.rdata.length), rr.rdata]);

/** Header (RFC 1035 §4.1.1); in an update the four counts are ZO, PR, UP and AD (RFC 2136 §2.2). */
export function encodeHeader(id: number, flags: number, counts: [number, number, number, number]): Buffer {
  return Buffer.concat([u16(id), u16(flags), ...counts.map(u16)]);
}

/** A reader that throws RangeError on a short or looping message; the caller calls that a bad response. */
export class WireReader {
  constructor(readonly buf: Buffer, public offset = 0) {}

  private need(bytes: number, at = this.offset): void {
    if (at + bytes > this.buf.length) throw new RangeError(`message ends at ${this.buf.length}, needed ${at + bytes}`);
  }
  u8(): number { this.need(1); return this.buf.readUInt8(this.offset++); }
  u16(): number { this.need(2); const v = this.buf.readUInt16BE(this.offset); this.offset += 2; return v; }
  u32(): number { this.need(4); const v = this.buf.readUInt32BE(this.offset); this.offset += 4; return v; }
  u48(): number { this.need(6); const v = this.buf.readUIntBE(this.offset, 6); this.offset += 6; return v; }
  bytes(length: number): Buffer { this.need(length); const v = this.buf.subarray(this.offset, this.offset + length); this.offset += length; return v; }

  /** A name, following compression pointers (RFC 1035 §4.1.4); lower-cased, no root dot. */
  name(): string {
    const labels: string[] = [];
    let at = this.offset;
    let end: number | undefined;
    for (let hops = 0; ; hops += 1) {
      if (hops > 127) throw new RangeError('name compression loop');
      this.need(1, at);
      const length = this.buf.readUInt8(at);
      if (length === 0) { end ??= at + 1; break; }
      if ((length & 0xc0) === 0xc0) {
        this.need(2, at);
        end ??= at + 2;
        at = this.buf.readUInt16BE(at) & 0x3fff;
        continue;
      }
      if (length > 63) throw new RangeError(`label length ${length}`);
      this.need(1 + length, at);
      labels.push(this.buf.toString('ascii', at + 1, at + 1 + length).toLowerCase());
      at += 1 + length;
    }
    this.offset = end;
    return labels.join('.');
  }
}
