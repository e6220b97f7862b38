/**
 * The prime's commands written as raw RESP on one socket, a page at a time (what `redis-cli
 * --pipe` does): the wire-and-server limit for that command mix, without a client library.
 * Commands are recorded from queueDomain itself, so they are exactly the prime's.
 */
import { createConnection, type Socket } from 'node:net';
import type { ChainableCommander } from 'ioredis';

export type RawCommand = string[];

/** A stand-in for an ioredis pipeline that records what queueDomain queues (set, del, hset, expire). */
export function recordingChain(into: RawCommand[]): ChainableCommander {
  const chain = {
    set: (key: string, value: string, ...rest: (string | number)[]) => { into.push(['SET', key, value, ...rest.map(String)]); return chain; },
    del: (...keys: string[]) => { into.push(['DEL', ...keys]); return chain; },
    hset: (key: string, fields: Record<string, string>) => { into.push(['HSET', key, ...Object.entries(fields).flat()]); return chain; },
    expire: (key: string, seconds: number) => { into.push(['EXPIRE', key, String(seconds)]); return chain; },
  };
  return chain as unknown as ChainableCommander;
}

const encode = (command: RawCommand): string => `*${command.length}\r\n${command.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

export type RawConnection = { exec: (commands: RawCommand[]) => Promise<void>; close: () => void };

/**
 * One connection to 127.0.0.1:6379 on database `db`. Every reply of these commands is one line
 * (+OK, :n, or -ERR), so a page is done when as many lines came back as commands went out.
 */
export async function rawConnection(db: number): Promise<RawConnection> {
  const socket: Socket = createConnection({ host: '127.0.0.1', port: 6379 });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let owed = 0;
  let failed = false;
  let done: (() => void) | undefined;
  socket.on('data', (data: Buffer) => {
    for (let i = 0; i < data.length; i += 1) {
      if (data[i] === 10) owed -= 1;
      else if (data[i] === 45 && (i === 0 || data[i - 1] === 10)) failed = true; // '-' starts an error reply
    }
    if (owed <= 0) done?.();
  });
  const exec = (commands: RawCommand[]) => new Promise<void>((resolve, reject) => {
    owed += commands.length;
    done = () => {
      done = undefined;
      if (failed) reject(new Error('Redis answered an error to a raw pipelined command'));
      else resolve();
    };
    socket.write(commands.map(encode).join(''));
  });
  await exec([['SELECT', String(db)]]);
  return { exec, close: () => socket.destroy() };
}
