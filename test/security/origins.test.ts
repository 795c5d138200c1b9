// Pages from other sites cannot drive the demos, and a re-bound DNS name cannot reach the
// server: every demo socket refuses a foreign Origin (a real Chromium page on another origin
// tries them all), every route refuses a Host that is not a name of this server, and the
// allowed origins and host names of the configuration are let in.

import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { startApp, type RunningApp } from '../helpers/app';
import { launchChromium } from '../helpers/browser';
import { upgradeStatus } from '../helpers/ws';

const DEMO_SOCKETS = [
  '/helloworld',
  '/one2one',
  '/one2many',
  '/groupcall',
  '/recording',
  '/player',
  '/magicmirror',
  '/chroma',
  '/effects',
];

/** A raw GET with the Host header we choose (fetch will not forge it). */
function statusWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('origins and hosts', () => {
  let running: RunningApp;
  let browser: Browser | undefined;
  let foreign: Server | undefined;

  beforeAll(async () => {
    running = await startApp({ ALLOWED_ORIGINS: 'https://partner.example', PUBLIC_HOSTNAMES: 'stage.example.org' });
  });

  afterAll(async () => {
    await browser?.close();
    foreign?.closeAllConnections();
    await new Promise((r) => (foreign ? foreign.close(r) : r(undefined)));
    await running?.close();
  });

  test('a page on another origin, in a real browser, can open none of the demo sockets', async () => {
    // The attacker's page: another origin (127.0.0.2 is loopback too, but another site).
    foreign = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>elsewhere</title>');
    });
    await new Promise<void>((r) => foreign!.listen(0, '127.0.0.2', r));
    const foreignUrl = `http://127.0.0.2:${(foreign.address() as AddressInfo).port}/`;
    browser = await launchChromium();
    const page = await browser.newPage();
    const tryAll = (base: string): Promise<Record<string, string>> =>
      page.evaluate(
        async ({ base, paths }) => {
          const out: Record<string, string> = {};
          for (const path of paths) {
            out[path] = await new Promise<string>((resolve) => {
              const ws = new WebSocket(base + path);
              ws.onopen = () => {
                ws.close();
                resolve('open');
              };
              ws.onerror = () => resolve('refused');
            });
          }
          return out;
        },
        { base, paths: DEMO_SOCKETS },
      );
    await page.goto(foreignUrl);
    const fromElsewhere = await tryAll(running.wsUrl);
    expect(fromElsewhere).toEqual(Object.fromEntries(DEMO_SOCKETS.map((p) => [p, 'refused'])));
    // The same sockets from the server's own page open.
    await page.goto(running.url + '/');
    const fromHome = await tryAll(running.wsUrl);
    expect(fromHome).toEqual(Object.fromEntries(DEMO_SOCKETS.map((p) => [p, 'open'])));
  });

  test('each demo socket refuses forged and opaque origins, and admits ALLOWED_ORIGINS and non-browser clients', async () => {
    const own = running.url;
    for (const path of DEMO_SOCKETS) {
      const url = running.wsUrl + path;
      expect([path, await upgradeStatus(url, { Origin: 'https://evil.example' })]).toEqual([path, 403]);
      expect([path, await upgradeStatus(url, { Origin: 'null' })]).toEqual([path, 403]);
      expect([path, await upgradeStatus(url, { Origin: own.replace('127.0.0.1', 'localhost') })]).toEqual([path, 403]);
      expect([path, await upgradeStatus(url, { Origin: own })]).toEqual([path, 0]);
      expect([path, await upgradeStatus(url, { Origin: 'https://partner.example' })]).toEqual([path, 0]);
      expect([path, await upgradeStatus(url, {})]).toEqual([path, 0]);
    }
  });

  test('a Host that is not a name of this server is refused on pages, the API and sockets (DNS rebinding)', async () => {
    const port = new URL(running.url).port;
    for (const path of ['/', '/api/status', '/api/recordings', '/healthz']) {
      expect([path, await statusWithHost(running.url + path, `rebind.attacker.example:${port}`)]).toEqual([path, 403]);
      expect([path, await statusWithHost(running.url + path, `localhost:${port}`)]).toEqual([path, 200]);
      expect([path, await statusWithHost(running.url + path, `stage.example.org:${port}`)]).toEqual([path, 200]);
      expect([path, await statusWithHost(running.url + path, `192.168.1.20:${port}`)]).toEqual([path, 200]);
    }
    expect(await upgradeStatus(running.wsUrl + '/player', { Host: `rebind.attacker.example:${port}` })).toBe(403);
    const refused = await fetch(running.url + '/api/status', { headers: { 'x-probe': '1' } }).then((r) => r.status);
    expect(refused).toBe(200);
  });

  test('a state-changing request from a foreign page is refused', async () => {
    const res = await fetch(`${running.url}/api/recordings/00000000-0000-4000-8000-000000000000`, {
      method: 'DELETE',
      headers: { origin: 'https://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'ORIGIN_NOT_ALLOWED' });
  });
});
