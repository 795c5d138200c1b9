// Who may talk to this server from a browser. Every request's `Host` must name this server (a
// loopback name, an IP address, or one of PUBLIC_HOSTNAMES): a page on an attacker's domain
// that re-binds its name to 127.0.0.1 reaches us with its own name as Host, and is refused.
// A WebSocket upgrade, or any request that changes state, coming from a page must come from
// this server's own origin or one of ALLOWED_ORIGINS: browsers let any site open a
// WebSocket to localhost, and send its Origin. Clients that send no Origin are not browsers
// acting for a page, and are not concerned.

import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { AppError } from '../errors';

/** The host name of a Host header: the port and IPv6 brackets removed, lower-cased. */
export function hostnameOf(host: string): string {
  const bracketed = /^\[([^\]]+)\](:\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

export function isLoopbackName(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '::1' || /^127\.\d+\.\d+\.\d+$/.test(hostname)
  );
}

export class OriginPolicy {
  private readonly hostnames: ReadonlySet<string>;
  private readonly origins: ReadonlySet<string>;

  constructor(config: Pick<Config, 'publicHostnames' | 'allowedOrigins'>) {
    this.hostnames = new Set(config.publicHostnames);
    this.origins = new Set(config.allowedOrigins);
  }

  /** An IP address cannot be re-bound; a name must be ours. */
  hostAllowed(host: string | undefined): boolean {
    if (host === undefined) return true;
    const name = hostnameOf(host);
    return isIP(name) !== 0 || isLoopbackName(name) || this.hostnames.has(name);
  }

  /**
   * A page's Origin: this server's own (the host and port the request names; either scheme,
   * since a TLS-terminating proxy in front makes the page https and us http) or an allowed one.
   */
  originAllowed(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true;
    if (this.origins.has(origin)) return true;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false; // "null" (sandboxed frames, file: pages) and anything unreadable
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    return host !== undefined && url.host === host.toLowerCase();
  }

  /** Why a request is refused, or undefined when it may go on. */
  check(request: Pick<FastifyRequest, 'headers' | 'method'>): AppError | undefined {
    const { host, origin, upgrade } = request.headers;
    if (!this.hostAllowed(host)) {
      return new AppError('HOST_NOT_ALLOWED', `'${host}' is not a name of this server; add it to PUBLIC_HOSTNAMES`);
    }
    const changesState = upgrade?.toLowerCase() === 'websocket' || !['GET', 'HEAD', 'OPTIONS'].includes(request.method);
    if (changesState && !this.originAllowed(origin, host)) {
      return new AppError('ORIGIN_NOT_ALLOWED', `pages from ${origin} may not use this server; add it to ALLOWED_ORIGINS`);
    }
    return undefined;
  }
}

/** Checks every request, WebSocket upgrades included, before any route sees it. */
export function guardOrigins(app: FastifyInstance, config: Config): void {
  const policy = new OriginPolicy(config);
  app.addHook('onRequest', async (request, reply) => {
    const refusal = policy.check(request);
    if (!refusal) return;
    request.log.warn({ host: request.headers.host, origin: request.headers.origin, url: request.url }, 'request refused: origin');
    await reply.code(refusal.status).send(refusal.toJSON());
  });
}
