import net from 'node:net';

export type TcpRelay = { port: number; down: () => Promise<void>; up: () => Promise<void>; close: () => Promise<void> };

/**
 * A TCP relay to a shared server (PostgreSQL, Redis) that a test can take down — every open
 * connection cut, new ones refused — and bring back on the same port, as an outage looks from
 * the client, without stopping the server other test files use.
 */
export async function startTcpRelay(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpRelay> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.pipe(upstream).pipe(client);
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  let port = 0;
  const listen = () => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      port = (server.address() as net.AddressInfo).port;
      server.off('error', reject);
      resolve();
    });
  });
  const down = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await closed;
  };
  await listen();
  return { get port() { return port; }, down, up: listen, close: () => (server.listening ? down() : Promise.resolve()) };
}
