/** Ports for one Pebble + challtestsrv pair, picked by the OS so parallel runs never collide. */
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server } from 'node:net';

export type PebblePorts = {
  /** ACME (listenAddress) */
  acme: number;
  /** Pebble's management interface (roots, intermediates) */
  management: number;
  /** Where Pebble's VA connects for http-01: the public app listens here in those tests */
  httpPort: number;
  /** Where Pebble's VA connects for tls-alpn-01 */
  tlsPort: number;
  /** challtestsrv DNS (UDP and TCP), Pebble's -dnsserver */
  dns: number;
  /** challtestsrv management API */
  challtestsrvManagement: number;
};

const listen = (server: Server) => new Promise<number>((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
});

const udpFree = (port: number) => new Promise<boolean>((resolve) => {
  const socket = createSocket('udp4');
  socket.once('error', () => { socket.close(); resolve(false); });
  socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
});

/**
 * Six distinct ports free right now (all held open together, then released). The DNS port
 * must be free for UDP as well. A port could be taken between here and Pebble's bind; Pebble
 * would then exit and startPebble reports its log.
 */
export async function freePorts(): Promise<PebblePorts> {
  const servers = Array.from({ length: 8 }, () => createServer());
  try {
    const ports = await Promise.all(servers.map(listen));
    let dnsIndex = -1;
    for (let index = 0; index < ports.length && dnsIndex < 0; index += 1) {
      if (await udpFree(ports[index]!)) dnsIndex = index;
    }
    if (dnsIndex < 0) throw new Error('No port free for both TCP and UDP');
    const [dns] = ports.splice(dnsIndex, 1);
    const [acme, management, httpPort, tlsPort, challtestsrvManagement] = ports as [number, number, number, number, number];
    return { acme, management, httpPort, tlsPort, dns: dns!, challtestsrvManagement };
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
