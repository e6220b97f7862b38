/**
 * A redis-server of one test file's own, on a free loopback port: for tests that pause or stop
 * Redis (CLIENT PAUSE), which must not stall the other files sharing 127.0.0.1:6379.
 */
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { Redis } from 'ioredis';
import { until } from './until.js';

export type PrivateRedis = { port: number; url: (db: number) => string; client: (db: number) => Promise<Redis>; stop: () => Promise<void> };

const freePort = () => new Promise<number>((resolve, reject) => {
  const server = createServer();
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    server.close(() => resolve(port));
  });
  server.once('error', reject);
});

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const clients: Redis[] = [];
  const client = async (db: number) => {
    const redis = new Redis({ host: '127.0.0.1', port, db, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    clients.push(redis);
    return redis;
  };
  const listening = () => new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket.end() !== undefined));
    socket.once('error', () => resolve(false));
  });
  await until(listening, (up) => up, 10_000, 50);
  return {
    port,
    url: (db) => `redis://127.0.0.1:${port}/${db}`,
    client,
    stop: async () => {
      for (const redis of clients) redis.disconnect();
      child.kill('SIGKILL');
      await exited;
    },
  };
}
