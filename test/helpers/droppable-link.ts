// A TCP relay between a client and a server, so a test can cut the connection the way a
// network does: both sockets destroyed at once, with no close handshake.

import { connect as connectTcp, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A TCP relay between kurento-client and the media server, so a test can drop the socket. */
export class DroppableLink {
  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly url: string,
  ) {}

  static async open(target: string): Promise<DroppableLink> {
    const { hostname, port, pathname } = new URL(target);
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      const upstream = connectTcp(Number(port || 80), hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address() as AddressInfo;
    return new DroppableLink(server, sockets, `ws://127.0.0.1:${address.port}${pathname}`);
  }

  drop(): void {
    for (const s of this.sockets) s.destroy();
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((r) => this.server.close(() => r()));
  }
}
