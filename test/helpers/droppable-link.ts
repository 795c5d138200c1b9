// A TCP relay between a client and a server, so a test can cut the connection the way a
// network does: both sockets destroyed at once, with no close handshake; and keep it cut (an
// outage) until it is restored.

import { connect as connectTcp, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** A TCP relay between kurento-client and the media server, so a test can drop the socket. */
export class DroppableLink {
  /** While true, every new connection is cut as soon as it opens. */
  private down = false;

  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly url: string,
  ) {}

  static async open(target: string): Promise<DroppableLink> {
    const { hostname, port, pathname } = new URL(target);
    const sockets = new Set<Socket>();
    const state = { link: undefined as DroppableLink | undefined };
    const server = createServer((client) => {
      if (state.link?.down) {
        client.destroy();
        return;
      }
      const upstream = connectTcp(Number(port || 80), hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
      // Either side gone (a refused upstream too: the server is down) closes the other, as
      // a network path to a dead server would.
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const address = server.address() as AddressInfo;
    state.link = new DroppableLink(server, sockets, `ws://127.0.0.1:${address.port}${pathname}`);
    return state.link;
  }

  drop(): void {
    for (const s of this.sockets) s.destroy();
  }

  /** An outage: the connection drops, and no new one gets through until restore(). */
  cut(): void {
    this.down = true;
    this.drop();
  }

  restore(): void {
    this.down = false;
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((r) => this.server.close(() => r()));
  }
}
