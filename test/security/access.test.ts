// A server shared on the network needs an access secret. Without API_TOKEN it refuses to
// start on a non-loopback HOST (unless ALLOW_ANONYMOUS=true, and then it warns); with one,
// every page, socket and REST route wants it: a visitor logs in once and gets an HttpOnly,
// SameSite=Strict cookie, a REST client sends it as a bearer token.

import { ConfigError, loadConfig } from '../../server/config';
import { startApp, type RunningApp } from '../helpers/app';
import { startServer } from '../helpers/server-process';
import { upgradeStatus } from '../helpers/ws';

const TOKEN = 'access-token-for-tests';

test('a non-loopback HOST without API_TOKEN does not start, and names the variable', () => {
  expect(() => loadConfig({ HOST: '0.0.0.0' })).toThrow(ConfigError);
  expect(() => loadConfig({ HOST: '192.168.1.20' })).toThrow(
    /API_TOKEN: HOST=192\.168\.1\.20 serves the network.*ALLOW_ANONYMOUS=true/,
  );
  expect(loadConfig({ HOST: '0.0.0.0', API_TOKEN: TOKEN }).HOST).toBe('0.0.0.0');
  expect(loadConfig({ HOST: '127.0.0.1' }).API_TOKEN).toBeUndefined();
  expect(loadConfig({ HOST: '::1' }).API_TOKEN).toBeUndefined();
});

test('ALLOW_ANONYMOUS=true starts it anyway, with a warning at every start', async () => {
  const server = await startServer({ HOST: '0.0.0.0', ALLOW_ANONYMOUS: 'true', KMS_URL: 'ws://127.0.0.1:9/kurento' });
  try {
    expect(server.lines.some((l) => l.includes('"level":40') && l.includes('ALLOW_ANONYMOUS=true: anyone'))).toBe(true);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});

describe('with API_TOKEN, off loopback', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ HOST: '0.0.0.0', API_TOKEN: TOKEN, KMS_URL: 'ws://127.0.0.1:9/kurento' });
  });

  afterAll(async () => {
    await running?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(running.url + path, { headers, redirect: 'manual' });

  test('pages send a visitor to the login page; the API, recordings and demo sockets refuse', async () => {
    const page = await get('/one2one.html', { accept: 'text/html' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/login?next=%2Fone2one.html');
    for (const path of [
      '/api/recordings',
      '/api/calls',
      '/api/status',
      '/api/recordings/00000000-0000-4000-8000-000000000000/media',
    ]) {
      const res = await get(path);
      expect([path, res.status]).toEqual([path, 401]);
      expect(await res.json()).toMatchObject({ error: 'UNAUTHORIZED', message: expect.stringContaining('/login') });
    }
    const deleted = await fetch(`${running.url}/api/recordings/00000000-0000-4000-8000-000000000000`, { method: 'DELETE' });
    expect(deleted.status).toBe(401);
    for (const path of ['/groupcall', '/one2one', '/one2many', '/player']) {
      expect([path, await upgradeStatus(running.wsUrl + path, {})]).toEqual([path, 401]);
    }
    // Probes stay open, for Docker and load balancers.
    expect((await get('/healthz')).status).toBe(200);
    expect([200, 503]).toContain((await get('/readyz')).status);
  });

  test('a wrong token is refused; the right one sets an HttpOnly, SameSite=Strict cookie that opens everything', async () => {
    const form = (token: string, next: string): RequestInit => ({
      method: 'POST',
      body: new URLSearchParams({ token, next }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      redirect: 'manual',
    });
    const wrong = await fetch(`${running.url}/login`, form('not-the-token', '/one2one.html'));
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('That is not the access token');
    expect(wrong.headers.get('set-cookie')).toBeNull();

    const right = await fetch(`${running.url}/login`, form(TOKEN, '/one2one.html'));
    expect(right.status).toBe(303);
    expect(right.headers.get('location')).toBe('/one2one.html');
    const setCookie = right.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Strict/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0]!;

    expect((await get('/one2one.html', { cookie, accept: 'text/html' })).status).toBe(200);
    expect((await get('/api/recordings', { cookie })).status).toBe(200);
    expect((await get('/api/recordings', { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect(await upgradeStatus(running.wsUrl + '/groupcall', { cookie })).toBe(0);
    expect((await get('/api/recordings', { cookie: 'stage_access=forged' })).status).toBe(401);

    // After login, a visitor goes back only to a path on this server.
    const offsite = await fetch(`${running.url}/login`, form(TOKEN, '//evil.example/'));
    expect(offsite.headers.get('location')).toBe('/');
  });
});
