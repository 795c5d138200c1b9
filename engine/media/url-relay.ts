// What a player's GStreamer helper reads when the application gave an http(s) URL: not the
// URL itself, but a loopback address where this relay fetches it under the URL policy (every
// address and redirect checked, in our code). GStreamer's own HTTP source would follow
// redirects and resolve names itself, past any check. The relay passes Range requests
// through, so seeking works, and answers nothing but its one secret path.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { fetchUnderPolicy, type UrlPolicy } from '../../packages/url-policy';

const FETCH_TIMEOUT_MS = 15_000;
/** Response headers a media reader needs; nothing else of the upstream's reaches GStreamer. */
const PASSED_HEADERS = ['content-type', 'content-length', 'content-range', 'accept-ranges', 'last-modified', 'etag'];

export class UrlRelay {
  private readonly server: Server;
  private readonly path = `/${randomBytes(16).toString('hex')}`;
  /** Why the last fetch failed, for the debug log and the player's own log line. */
  lastFailure: string | undefined;

  private constructor(
    private readonly upstream: string,
    private readonly policy: UrlPolicy,
    private readonly log: Logger,
  ) {
    this.server = createServer((req, res) => void this.serve(req, res));
  }

  static async open(upstream: string, policy: UrlPolicy, log: Logger): Promise<UrlRelay> {
    const relay = new UrlRelay(upstream, policy, log);
    await new Promise<void>((resolve, reject) => {
      relay.server.once('error', reject);
      relay.server.listen(0, '127.0.0.1', () => resolve());
    });
    return relay;
  }

  /** The address to give GStreamer. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.path}`;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url !== this.path || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = {};
    if (typeof req.headers.range === 'string') headers.range = req.headers.range;
    try {
      const upstream = await fetchUnderPolicy(this.upstream, this.policy, {
        method: req.method,
        headers,
        timeoutMs: FETCH_TIMEOUT_MS,
      });
      const out: Record<string, string> = {};
      for (const name of PASSED_HEADERS) {
        const value = upstream.headers[name];
        if (typeof value === 'string') out[name] = value;
      }
      res.writeHead(upstream.statusCode ?? 502, out);
      upstream.pipe(res);
      res.on('close', () => upstream.destroy());
      upstream.on('error', () => res.destroy());
    } catch (err) {
      this.lastFailure = (err as Error).message;
      this.log.debug({ uri: this.upstream, reason: this.lastFailure }, 'a player URL could not be read');
      res.writeHead(502).end();
    }
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}
