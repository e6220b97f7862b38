/** PEM (RFC 7468) framing: split, encode, and tell PEM text from DER in an uploaded file. */

/** Any malformed certificate, key or PEM input. The message is safe to show: it never holds key material. */
export class X509ParseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'X509ParseError';
  }
}

export type PemBlock = {
  label: string;
  der: Buffer;
  /** RFC 1421 headers (e.g. `Proc-Type: 4,ENCRYPTED` on legacy encrypted keys); empty when none. */
  headers: Record<string, string>;
};

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END ([A-Z0-9 ]+)-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Every PEM block in `text`, in order. Text between blocks (openssl's "Bag Attributes",
 * `-text` dumps, comments) is ignored, as openssl does.
 */
export function splitPemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const [, label = '', body = '', endLabel] = match;
    if (label !== endLabel) {
      throw new X509ParseError(`PEM block "${label}" ends with "${endLabel}"`);
    }
    blocks.push(decodeBody(label, body));
  }
  return blocks;
}

function decodeBody(label: string, body: string): PemBlock {
  const headers: Record<string, string> = {};
  const lines = body.split(/\r?\n|\r/).map((line) => line.trim()).filter((line) => line !== '');
  let base64 = '';
  for (const line of lines) {
    const header = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
    if (header && base64 === '') headers[header[1]!] = header[2]!;
    else base64 += line;
  }
  if (base64 === '' || base64.length % 4 !== 0 || !BASE64.test(base64)) {
    throw new X509ParseError(`PEM block "${label}" is not valid base64`);
  }
  return { label, der: Buffer.from(base64, 'base64'), headers };
}

/** RFC 7468 "strict" form: 64-character lines, LF, one trailing newline. */
export function toPem(label: string, der: Uint8Array): string {
  const base64 = Buffer.from(der).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

export type DecodedInput = { kind: 'pem'; blocks: PemBlock[] } | { kind: 'der'; der: Buffer };

/**
 * An upload is either PEM text or raw DER; browsers and tools send both under any file name.
 * DER always starts with a SEQUENCE tag (0x30) for the objects we accept.
 */
export function decodePemOrDer(input: Buffer | string, what: string): DecodedInput {
  if (typeof input === 'string') return { kind: 'pem', blocks: nonEmpty(splitPemBlocks(input), what) };
  if (input.length === 0) throw new X509ParseError(`${what} is empty`);
  if (input[0] === 0x30) return { kind: 'der', der: input };
  // latin1 maps every byte to one char, so stray binary never throws while looking for armour.
  const text = input.toString('latin1');
  if (text.includes('-----BEGIN ')) return { kind: 'pem', blocks: nonEmpty(splitPemBlocks(text), what) };
  throw new X509ParseError(`not a PEM or DER ${what}`);
}

function nonEmpty(blocks: PemBlock[], what: string): PemBlock[] {
  if (blocks.length === 0) throw new X509ParseError(`not a PEM or DER ${what}`);
  return blocks;
}

/**
 * Length of the DER object at the start of `der` (tag + length + content), or undefined when
 * the header is malformed. Parsers accept trailing bytes silently; callers compare lengths.
 */
export function derObjectLength(der: Buffer): number | undefined {
  if (der.length < 2) return undefined;
  const first = der[1]!;
  if (first < 0x80) return 2 + first;
  const count = first & 0x7f;
  if (count === 0 || count > 4 || der.length < 2 + count) return undefined;
  let length = 0;
  for (let i = 0; i < count; i++) length = length * 256 + der[2 + i]!;
  return 2 + count + length;
}
