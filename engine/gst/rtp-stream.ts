// RTP over a loopback TCP connection, framed as RFC 4571 does it (a 2-byte length before each
// packet): how a GStreamer helper's output (rtpstreampay ! tcpclientsink) reaches the engine.
// Over UDP a keyframe leaves the helper as a burst of a hundred packets or more, and the
// socket's receive buffer (net.core.rmem_max, 208 KiB by default) overflowed while the event
// loop was busy: those packets were gone before the engine saw them, and no NACK could bring
// them back. TCP holds the helper back instead of dropping.

import { createServer, type Server, type Socket } from 'node:net';

/** A helper makes one connection per output stream (a player: audio and video). */
const MAX_CONNECTIONS = 4;

export class RtpStreamServer {
  private readonly server: Server;
  private readonly connections = new Set<Socket>();

  private constructor(server: Server) {
    this.server = server;
  }

  static async listen(onPacket: (packet: Buffer) => void): Promise<RtpStreamServer> {
    const server = createServer();
    const stream = new RtpStreamServer(server);
    server.on('connection', (socket) => stream.accept(socket, onPacket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return stream;
  }

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  private accept(socket: Socket, onPacket: (packet: Buffer) => void): void {
    if (this.connections.size >= MAX_CONNECTIONS) {
      socket.destroy();
      return;
    }
    this.connections.add(socket);
    socket.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let at = 0;
      while (pending.length - at >= 2) {
        const size = pending.readUInt16BE(at);
        if (pending.length - at - 2 < size) break;
        onPacket(pending.subarray(at + 2, at + 2 + size));
        at += 2 + size;
      }
      pending = at === pending.length ? Buffer.alloc(0) : pending.subarray(at);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.connections.delete(socket));
  }

  close(): void {
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    this.server.close();
  }
}
