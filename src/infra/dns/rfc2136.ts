/**
 * RFC 2136 dynamic update signed with TSIG (RFC 8945), to the zone's primary (BIND, Knot,
 * PowerDNS…). TCP only: every DNS server must speak it (RFC 7766 §5), an update is one short
 * exchange, and TCP needs no retransmission or truncation handling — a refused connection is
 * known at once instead of after UDP timeouts.
 *
 * The wire format is written here (wire.ts, update-message.ts, tsig.ts) rather than taken from
 * npm: `dns-packet` (and its forks) can express neither class NONE — the RFC 2136 §2.5.4
 * "delete this one RR" that keeps the other TXT values — nor TSIG RDATA, so the package would
 * have carried only the easy half. Checked byte for byte against dnspython (test/dns).
 */
import { randomInt } from 'node:crypto';
import { DnsProviderError, DnsUpdateRefusedError } from './errors.js';
import { isInZone, requireRecordName, requireTxtValue } from './names.js';
import type { DnsProvider } from './port.js';
import { exchangeOverTcp, formatAddress, type DnsServerAddress } from './tcp-exchange.js';
import { checkSignedResponse, signMessage, type TsigKey } from './tsig.js';
import { encodeUpdate, parseResponse, type TxtChange } from './update-message.js';
import { OPCODE_UPDATE, rcodeName } from './wire.js';

export type Rfc2136Settings = {
  server: DnsServerAddress;
  /** The zone holding the records (its apex), lower-case, no root dot. */
  zone: string;
  tsig: TsigKey;
  ttl: number;
  timeoutMs: number;
};

export type Rfc2136Clock = { nowSeconds(): number; messageId(): number };

const systemClock: Rfc2136Clock = {
  nowSeconds: () => Math.floor(Date.now() / 1000),
  messageId: () => randomInt(0, 0x10000),
};

export function createRfc2136Provider(settings: Rfc2136Settings, clock: Rfc2136Clock = systemClock): DnsProvider {
  const where = formatAddress(settings.server);

  async function update(recordName: string, value: string, op: TxtChange['op']): Promise<void> {
    const name = requireRecordName(recordName);
    requireTxtValue(value);
    if (!isInZone(name, settings.zone)) {
      throw new DnsProviderError('rfc2136', 'unknown_name', `${name} is not in zone ${settings.zone} (server ${where})`);
    }
    const id = clock.messageId();
    const unsigned = encodeUpdate(id, settings.zone, [{ op, name, value, ttl: settings.ttl }]);
    const { signed, mac } = signMessage(unsigned, settings.tsig, clock.nowSeconds());
    const answer = await exchangeOverTcp(settings.server, signed, settings.timeoutMs);
    checkAnswer(answer, id, mac, `${op === 'add' ? 'adding' : 'deleting'} TXT at ${name}`);
  }

  function checkAnswer(answer: Buffer, id: number, requestMac: Buffer, what: string): void {
    let parsed;
    try {
      parsed = parseResponse(answer);
    } catch (error) {
      throw new DnsProviderError('rfc2136', 'bad_response', `${where} sent an unreadable answer to ${what}`, { cause: error });
    }
    if (!parsed.isResponse || parsed.opcode !== OPCODE_UPDATE || parsed.id !== id) {
      throw new DnsProviderError('rfc2136', 'bad_response', `${where} answered ${what} with something that is not its UPDATE response`);
    }
    const tsigError = parsed.tsig && parsed.tsig.error !== 0 ? rcodeName(parsed.tsig.error) : undefined;
    if (parsed.rcode !== 0 || tsigError) {
      const rcode = rcodeName(parsed.rcode);
      const detail = tsigError ? ` (TSIG ${tsigError} for key "${settings.tsig.name}")` : '';
      throw new DnsUpdateRefusedError('rfc2136', rcode, `${where} refused ${what} in zone ${settings.zone}: ${rcode}${detail}`, tsigError);
    }
    // A success must be signed by the same key (RFC 8945 §5.3): otherwise anyone on the path could fake it.
    const problem = parsed.tsig
      ? checkSignedResponse(answer, parsed.tsig, settings.tsig, requestMac, clock.nowSeconds())
      : 'it is not signed';
    if (problem) throw new DnsProviderError('rfc2136', 'bad_response', `${where} answered ${what} with NOERROR, but ${problem}`);
  }

  return {
    kind: 'rfc2136',
    async setTxt(recordName, value) {
      await update(recordName, value, 'add');
      return { cleanupToken: `rfc2136 zone ${settings.zone} at ${where}` };
    },
    removeTxt: (recordName, value) => update(recordName, value, 'delete'),
  };
}
