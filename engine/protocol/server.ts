// The Kurento Protocol transport: JSON-RPC 2.0 over a WebSocket, as KMS serves it on
// ws://host:8888/kurento. It parses and checks frames, binds each request to its session,
// and writes responses. Malformed frames get JSON-RPC errors; the socket stays open.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import type { Params } from '../types/params';
import { ErrorCode, KmsError, toWireError } from './errors';
import type { MediaServer } from './media-server';
import type { Peer } from './sessions';

/** SDPs are a few KiB; transactions of many creates stay well under this. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Sockets that stop answering WebSocket pings are dropped, which starts session expiry. */
const HEARTBEAT_MS = 20_000;

interface Request {
  id: number | string | null;
  method: string;
  params: Params;
}

export class EngineServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly core: MediaServer;
  private readonly log: Logger;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly alive = new WeakSet<WebSocket>();

  private constructor(core: MediaServer, log: Logger) {
    this.core = core;
    this.log = log;
    this.http = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('Kurento Protocol: connect with a WebSocket to /kurento\n');
    });
    this.wss = new WebSocketServer({ server: this.http, maxPayload: MAX_FRAME_BYTES });
    this.wss.on('connection', (ws) => this.onConnection(ws));
    this.heartbeat = setInterval(() => this.sweep(), HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  static async listen(core: MediaServer, log: Logger, host: string, port: number): Promise<EngineServer> {
    const server = new EngineServer(core, log);
    await new Promise<void>((resolve, reject) => {
      server.http.once('error', reject);
      server.http.listen(port, host, () => {
        server.http.off('error', reject);
        resolve();
      });
    });
    return server;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  private onConnection(ws: WebSocket): void {
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    const peer: Peer = {
      send: (message) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
      },
    };
    // NOTE: text and binary frames alike carry UTF-8 JSON, as KMS reads them: the registry's
    // reconnect-ws (through websocket-stream) sends every request as a binary frame.
    ws.on('message', (data) => void this.onFrame(peer, data.toString()));
    ws.on('error', (err) => this.log.debug({ err }, 'client socket error'));
    ws.on('close', () => this.core.sessions.detach(peer));
  }

  private async onFrame(peer: Peer, text: string): Promise<void> {
    let request: Request | undefined;
    try {
      request = parseRequest(text);
    } catch (err) {
      peer.send(errorFrame(null, (err as KmsError).code, (err as Error).message));
      return;
    }
    if (!request) return; // a response or notification from the client: nothing to answer
    const { id, method, params } = request;
    this.log.debug({ method, id }, 'request');
    try {
      let result: unknown;
      if (method === 'connect') {
        const session = this.core.resume(params.sessionId, peer);
        result = { sessionId: session.id };
      } else {
        const sessionId = typeof params.sessionId === 'string' ? params.sessionId : undefined;
        const session = this.core.sessions.obtain(sessionId, peer);
        result = await this.core.handle(session, method, params);
      }
      if (id !== null) peer.send({ jsonrpc: '2.0', id, result });
    } catch (err) {
      if (!(err instanceof KmsError)) this.log.warn({ err, method }, 'request failed unexpectedly');
      if (id !== null) peer.send({ jsonrpc: '2.0', id, error: toWireError(err) });
    }
  }

  private sweep(): void {
    for (const ws of this.wss.clients) {
      if (!this.alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.alive.delete(ws);
      ws.ping();
    }
  }

  dropConnections(): void {
    for (const ws of this.wss.clients) ws.terminate();
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

function errorFrame(id: Request['id'], code: number, message: string): unknown {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

/** Parses one frame; returns undefined for frames that need no answer. */
export function parseRequest(text: string): Request | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    throw Object.assign(new KmsError('UNMARSHALL_ERROR', 'Parse error: the frame is not valid JSON'), {
      code: ErrorCode.PARSE_ERROR,
    });
  }
  const invalid = (why: string): never => {
    throw Object.assign(new KmsError('UNMARSHALL_ERROR', `Invalid request: ${why}`), { code: ErrorCode.INVALID_REQUEST });
  };
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) return invalid('expected one JSON-RPC object');
  const f = frame as Record<string, unknown>;
  if (f.jsonrpc !== '2.0') return invalid('"jsonrpc" must be "2.0"');
  if (f.method === undefined && ('result' in f || 'error' in f)) return undefined;
  if (typeof f.method !== 'string') return invalid('"method" must be a string');
  const id = f.id === undefined ? null : f.id;
  if (id !== null && typeof id !== 'number' && typeof id !== 'string') return invalid('"id" must be a number or string');
  const params = f.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return invalid('"params" must be an object');
  return { id: id as Request['id'], method: f.method, params: params as Params };
}
