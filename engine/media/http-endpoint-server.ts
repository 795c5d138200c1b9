// The HTTP server of the engine's HttpEndpoints, as KMS's KmsHttpEPServer: each endpoint
// registers a path nobody can guess (128 random bits), and the server hands it the requests
// for that path. Unknown paths get 404, methods other than POST and OPTIONS 405. It listens
// on the engine's host, on its first registration, and closes with the engine.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Logger } from 'pino';

export type UploadHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface Registration {
  /** The URL clients POST to, once the server listens. */
  readonly url: Promise<string>;
  unregister(): void;
}

export class HttpEndpointServer {
  private readonly handlers = new Map<string, UploadHandler>();
  private server: Server | undefined;
  private origin: Promise<string> | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly log: Logger,
  ) {}

  register(handler: UploadHandler): Registration {
    const path = `/${randomBytes(16).toString('hex')}`;
    this.handlers.set(path, handler);
    const url = this.listen().then((origin) => `${origin}${path}`);
    // A failure reaches whoever asks for the URL; nobody asking is no unhandled rejection.
    url.catch(() => undefined);
    return { url, unregister: () => this.handlers.delete(path) };
  }

  private listen(): Promise<string> {
    this.origin ??= new Promise((resolve, reject) => {
      const server = createServer((req, res) => this.route(req, res));
      // Uploads are long streams: no limit on a request's duration, only on its headers.
      server.requestTimeout = 0;
      server.headersTimeout = 10_000;
      server.once('error', reject);
      server.listen(this.port, this.host, () => {
        const { port } = server.address() as AddressInfo;
        resolve(`http://${announced(this.host)}:${port}`);
      });
      this.server = server;
    });
    return this.origin;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0]!;
    const handler = this.handlers.get(path);
    if (!handler) {
      res.writeHead(404).end();
      req.resume();
      return;
    }
    if (req.method === 'OPTIONS') {
      // A browser's preflight before a cross-origin upload, as KMS answers it.
      res
        .writeHead(200, {
          'access-control-allow-origin': '*',
          'access-control-allow-methods': 'POST, OPTIONS',
          'access-control-allow-headers': 'content-type',
        })
        .end();
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST, OPTIONS' }).end();
      req.resume();
      return;
    }
    this.log.debug({ path }, 'HTTP endpoint upload');
    handler(req, res);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

/** The address a URL names: the host listened on, or for a wildcard, this machine's first. */
function announced(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host.includes(':') ? `[${host}]` : host;
  for (const addresses of Object.values(networkInterfaces())) {
    const v4 = addresses?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) return v4.address;
  }
  return '127.0.0.1';
}
