/**
 * One DNS message over TCP (RFC 1035 §4.2.2: two-octet length prefix), bounded in time as a
 * whole: connect, send and the full answer must fit in `timeoutMs`.
 */
import { connect } from 'node:net';
import { DnsProviderError } from './errors.js';

export type DnsServerAddress = { host: string; port: number };

export const formatAddress = ({ host, port }: DnsServerAddress): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

export function exchangeOverTcp(server: DnsServerAddress, message: Buffer, timeoutMs: number): Promise<Buffer> {
  const where = formatAddress(server);
  return new Promise<Buffer>((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    let received = Buffer.alloc(0);
    const finish = (error: Error | undefined, answer?: Buffer) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(answer!);
    };
    const timer = setTimeout(() => finish(new DnsProviderError('rfc2136', 'timeout', `no answer from ${where} within ${timeoutMs} ms`)), timeoutMs);
    socket.once('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.write(Buffer.concat([length, message]));
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
        finish(undefined, received.subarray(2, 2 + received.readUInt16BE(0)));
      }
    });
    socket.once('end', () => finish(new DnsProviderError('rfc2136', 'bad_response', `${where} closed the connection before a whole answer`)));
    socket.once('error', (error: NodeJS.ErrnoException) => finish(new DnsProviderError(
      'rfc2136', 'unreachable', `cannot reach ${where}: ${error.code ?? error.message}`, { cause: error },
    )));
  });
}
