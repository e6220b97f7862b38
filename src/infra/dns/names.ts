/** Record names as the adapters take them: `_acme-challenge.example.test` with or without the root dot. */
import { ValidationError } from '../../domain/shared/errors.js';

/** Lower-case, no trailing dot; undefined for what cannot be a DNS name (RFC 1035 §2.3.4 limits). */
export function parseName(name: string): string | undefined {
  const bare = name.trim().replace(/\.$/, '').toLowerCase();
  const labels = bare.split('.');
  const valid = bare.length > 0
    && bare.length <= 253
    && labels.every((label) => label.length > 0 && label.length <= 63 && /^[a-z0-9_-]+$/.test(label));
  return valid ? bare : undefined;
}

export function requireRecordName(recordName: string): string {
  const name = parseName(recordName);
  if (name === undefined) throw new ValidationError({ recordName: `"${recordName}" is not a DNS name` });
  return name;
}

/** One TXT character-string holds at most 255 octets (RFC 1035 §3.3.14); a dns-01 value has 43. */
export function requireTxtValue(value: string): string {
  const length = Buffer.byteLength(value, 'utf8');
  if (length === 0 || length > 255) throw new ValidationError({ value: `a TXT value takes 1 to 255 octets, got ${length}` });
  return value;
}

/** `a.example.test` lies in zone `example.test` (and in `test`), not in `ample.test`. */
export function isInZone(name: string, zone: string): boolean {
  return name === zone || name.endsWith(`.${zone}`);
}
