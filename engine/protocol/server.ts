// The Kurento Protocol transport: JSON-RPC 2.0 over a WebSocket, as KMS serves it on
// ws://host:8888/kurento. It parses and checks frames, binds each request to its session,
// and writes responses. Malformed frames get JSON-RPC errors; the socket stays open.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { WebSocket, WebSocketServer } from 'ws';
import type { Params } from '../types/params';
import { ErrorCode, JsonRpcError } from './errors';
import type { MediaServer, RequestId } from './media-server';
import type { Peer } from './sessions';

/** SDPs are a few KiB; transactions of many creates stay well under this. */
const MAX_FRAME_BYTES = 4 * 1024 * 1024;
/** Sockets that stop answering WebSocket pings are dropped, which starts session expiry. */
const HEARTBEAT_MS = 20_000;
/** KMS's websocket path (mediaServer.net.websocket.path). */
const KURENTO_PATH = '/kurento';
/** Requests one connection may have waiting; beyond it a flood is refused, not queued. */
const MAX_PENDING_REQUESTS = 1000;

interface Request {
  id: RequestId;
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
    const allowedOrigins = new Set(core.config.allowedOrigins);
    this.core = core;
    this.log = log;
    this.http = createServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('Kurento Protocol: connect with a WebSocket to /kurento\n');
    });
    this.wss = new WebSocketServer({
      server: this.http,
      maxPayload: MAX_FRAME_BYTES,
      // NOTE: a page on any web site could otherwise drive this media server from a
      // developer's browser (players fetch URLs, recorders write files). Browsers always
      // send an Origin; Node applications send none and are not concerned.
      verifyClient: ({ req }, done) => {
        const origin = req.headers.origin;
        if (origin === undefined || isLoopbackOrigin(origin) || allowedOrigins.has(origin)) return done(true);
        this.log.warn({ origin }, 'refused a WebSocket from a foreign origin');
        done(false, 403, 'Origin not allowed: start the media server with --allowed-origins to admit it');
      },
    });
    this.wss.on('connection', (ws, request) => this.onConnection(ws, request));
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

  private onConnection(ws: WebSocket, request: IncomingMessage): void {
    // NOTE: KMS accepts the handshake on any path, then closes with "Invalid path" unless
    // the path (query string aside) is its websocket path, /kurento.
    const path = (request.url ?? '/').split('?')[0];
    if (path !== KURENTO_PATH) {
      this.log.warn({ path }, 'client connected to an invalid path; closing');
      ws.close(1002, 'Invalid path');
      return;
    }
    this.alive.add(ws);
    ws.on('pong', () => this.alive.add(ws));
    const connection = new ClientConnection({
      send: (message) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
      },
    });
    // NOTE: text and binary frames alike carry UTF-8 JSON, as KMS reads them: the registry's
    // reconnect-ws (through websocket-stream) sends every request as a binary frame.
    ws.on('message', (data) => this.onFrame(connection, data.toString()));
    ws.on('error', (err) => this.log.debug({ err }, 'client socket error'));
    ws.on('close', () => this.core.sessions.detach(connection.peer));
  }

  /**
   * Queues a frame behind the earlier ones of its connection. KMS reads a socket's next
   * message only after it answered the last, and clients count on it: the tutorials send
   * `processOffer` and then, without waiting, `gatherCandidates`. Other connections, and
   * events, do not wait.
   */
  private onFrame(connection: ClientConnection, text: string): void {
    if (connection.pending >= MAX_PENDING_REQUESTS) {
      const id = readableId(text);
      connection.peer.send({
        jsonrpc: '2.0',
        id,
        error: {
          code: ErrorCode.NOT_ENOUGH_RESOURCES,
          message: `More than ${MAX_PENDING_REQUESTS} requests are waiting on this connection`,
        },
      });
      return;
    }
    connection.pending++;
    connection.queue = connection.queue
      .then(() => this.process(connection, text))
      .catch((err: unknown) => this.log.error({ err }, 'a request escaped its handler'))
      .finally(() => connection.pending--);
  }

  private async process(connection: ClientConnection, text: string): Promise<void> {
    let request: Request | undefined;
    try {
      request = parseRequest(text);
    } catch (err) {
      const { code, message } = err as JsonRpcError;
      connection.peer.send({ jsonrpc: '2.0', id: readableId(text), error: { code, message } });
      return;
    }
    if (!request) return; // a response from the client: nothing to answer
    const { id, method } = request;
    // NOTE: as KMS does, a request that names no session runs in its connection's session.
    const params =
      connection.sessionId && request.params.sessionId === undefined
        ? { ...request.params, sessionId: connection.sessionId }
        : request.params;
    this.log.debug({ method, id }, 'request');
    const response = await this.core.respond(connection.peer, id, method, params);
    if (typeof response.result?.sessionId === 'string') connection.sessionId = response.result.sessionId;
    if (id !== null) connection.peer.send(response);
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

/** One client socket: its queue of requests, and the session KMS associates with it. */
class ClientConnection {
  readonly peer: Peer;
  sessionId: string | undefined;
  queue: Promise<void> = Promise.resolve();
  pending = 0;

  constructor(peer: Peer) {
    this.peer = peer;
  }
}

/** http(s) pages served from this machine: Kurento's browser tutorials run from localhost. */
export function isLoopbackOrigin(origin: string): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname;
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The id of a frame that could not be handled, when one can be read; else null. */
function readableId(text: string): RequestId {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === 'number' || typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}

/** Parses one frame; returns undefined for frames that need no answer. */
export function parseRequest(text: string): Request | undefined {
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    throw new JsonRpcError(ErrorCode.PARSE_ERROR, 'Parse error: the frame is not valid JSON');
  }
  const invalid = (why: string): never => {
    throw new JsonRpcError(ErrorCode.INVALID_REQUEST, `Invalid request: ${why}`);
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
