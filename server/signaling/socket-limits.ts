// How many demo sockets one address may hold open. Every socket can hold a session, and every
// session a pipeline (a player one GStreamer transcoder), so this is what bounds one client's
// share of the media server. A refused upgrade is answered 429 with the limit's name.

import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { AppError } from '../errors';

export class SocketLimits {
  private readonly open = new Map<string, number>();

  constructor(private readonly maxPerAddress: number) {}

  /** Why a new socket from `address` is refused, or undefined. */
  check(address: string | undefined): AppError | undefined {
    if ((this.open.get(address ?? '') ?? 0) < this.maxPerAddress) return undefined;
    return new AppError('TOO_MANY_SOCKETS', `${this.maxPerAddress} demo sockets are open from ${address} (MAX_SOCKETS_PER_IP)`);
  }

  /** Counts a socket until it closes. */
  track(socket: WebSocket, request: IncomingMessage): void {
    const address = request.socket.remoteAddress ?? '';
    this.open.set(address, (this.open.get(address) ?? 0) + 1);
    socket.once('close', () => {
      const left = (this.open.get(address) ?? 1) - 1;
      if (left > 0) this.open.set(address, left);
      else this.open.delete(address);
    });
  }

  /** Checks upgrades before any route, and counts the sockets the WebSocket server opens. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', async (request, reply) => {
      if (request.headers.upgrade?.toLowerCase() !== 'websocket') return;
      const refusal = this.check(request.socket.remoteAddress);
      if (!refusal) return;
      request.log.warn({ address: request.socket.remoteAddress }, 'socket refused: limit per address');
      await reply.code(refusal.status).send(refusal.toJSON());
    });
    app.websocketServer.on('connection', (socket: WebSocket, request: IncomingMessage) => this.track(socket, request));
  }
}
