// Who may use this server. With API_TOKEN set, every route but the health probes and the
// login page needs it: REST clients send `Authorization: Bearer <API_TOKEN>`, and a visitor
// enters it once at /login, which sets an HttpOnly, SameSite=Strict cookie holding a MAC of
// the token (never the token itself; changing API_TOKEN ends every visitor's access). Without
// API_TOKEN everything is open, which config.ts allows only on a loopback HOST or with
// ALLOW_ANONYMOUS=true.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config';
import { AppError } from '../errors';

const COOKIE = 'stage_access';
const COOKIE_MAX_AGE_SECONDS = 30 * 24 * 3600;
/** Open to all: probes, and what a visitor needs to log in. */
const PUBLIC_PATHS = new Set(['/healthz', '/readyz', '/login', '/logout', '/favicon.ico']);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** Only a local path may be a place to go back to after logging in. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) ? next : '/';
}

export class AccessPolicy {
  private readonly token: string | undefined;
  private readonly cookieValue: string | undefined;

  constructor(token: string | undefined) {
    this.token = token;
    this.cookieValue = token ? createHmac('sha256', token).update('kurento-stage visitor access').digest('base64url') : undefined;
  }

  get required(): boolean {
    return this.token !== undefined;
  }

  /** A bearer token or a login cookie that matches; always true when no token is configured. */
  granted(request: Pick<FastifyRequest, 'headers'>): boolean {
    if (!this.token || !this.cookieValue) return true;
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (bearer !== undefined && sameSecret(bearer, this.token)) return true;
    const cookie = cookieOf(request.headers.cookie, COOKIE);
    return cookie !== undefined && sameSecret(cookie, this.cookieValue);
  }

  matches(token: string): boolean {
    return this.token !== undefined && sameSecret(token, this.token);
  }

  cookie(secure: boolean, clear = false): string {
    const value = clear ? '' : this.cookieValue;
    const age = clear ? 0 : COOKIE_MAX_AGE_SECONDS;
    return `${COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${age}${secure ? '; Secure' : ''}`;
  }
}

function loginPage(next: string, failed: boolean): string {
  const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kurento Stage: access</title>
<style>
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { display: grid; place-items: center; min-height: 100vh; margin: 0; }
  form { display: grid; gap: .75rem; width: min(22rem, 90vw); }
  input, button { font: inherit; padding: .5rem .75rem; border-radius: .4rem; border: 1px solid #8886; }
  button { background: #3b6fd8; color: white; border: none; cursor: pointer; }
  .error { color: #d33; margin: 0; }
</style></head>
<body><form method="post" action="/login">
  <h1>Kurento Stage</h1>
  <p>This server is shared on the network. Enter its access token to continue.</p>
  ${failed ? '<p class="error" role="alert">That is not the access token.</p>' : ''}
  <input type="password" name="token" autocomplete="current-password" aria-label="Access token" placeholder="Access token" required autofocus>
  <input type="hidden" name="next" value="${escape(next)}">
  <button type="submit">Continue</button>
</form></body></html>`;
}

/**
 * The access check on every request, and the /login and /logout routes. Called with the root
 * instance (not registered as a plugin), so its hook covers every route registered later.
 */
export async function guardAccess(app: FastifyInstance): Promise<void> {
  const config: Config = app.config;
  const policy = new AccessPolicy(config.API_TOKEN);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0] ?? '/';
    if (PUBLIC_PATHS.has(path) || policy.granted(request)) return;
    const isPage = request.method === 'GET' && !request.headers.upgrade && (request.headers.accept ?? '').includes('text/html');
    if (isPage) return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`, 303);
    const refusal = new AppError('UNAUTHORIZED');
    return reply.code(refusal.status).send(refusal.toJSON());
  });

  app.get<{ Querystring: { next?: string } }>('/login', async (request, reply) =>
    reply.type('text/html; charset=utf-8').send(loginPage(safeNext(request.query.next), false)),
  );

  await app.register(async (form) => {
    form.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    form.post<{ Body: { token?: string; next?: string } }>('/login', async (request, reply) => {
      const next = safeNext(request.body?.next);
      if (!policy.required) return reply.redirect(next, 303);
      if (!policy.matches(request.body?.token ?? '')) {
        request.log.warn('a visitor gave a wrong access token');
        return reply.code(401).type('text/html; charset=utf-8').send(loginPage(next, true));
      }
      return reply.header('set-cookie', policy.cookie(config.HTTPS)).redirect(next, 303);
    });
  });

  app.get('/logout', async (_request, reply) =>
    reply.header('set-cookie', policy.cookie(config.HTTPS, true)).redirect('/login', 303),
  );
}
