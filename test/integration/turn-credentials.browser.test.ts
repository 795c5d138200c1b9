// TURN for browsers and media servers, through a real coturn that checks credentials with a
// shared secret (use-auth-secret): the app mints each page a credential in coturn's REST
// scheme, and each WebRtcEndpoint one of its own. With ICE_TRANSPORT_POLICY=relay, a
// one2one call decodes on both sides over a relay pair, and the page says "TURN (relay)".
// A credential that has expired, or that another secret signed, is refused by coturn, and
// the page says why.

import { createHmac } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { eventually, noPipelinesLeft, startApp, type RunningApp } from '../helpers/app';
import { decodedFrames, demoPeer, launchChromium } from '../helpers/browser';
import { Coturn } from '../helpers/coturn';
import { turnCredential } from '../../server/ice/ice-servers';

jest.setTimeout(90_000);

const SECRET = 'coturn-shared-secret';
const TTL = 600;

interface IceAnswer {
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  iceTransportPolicy: string;
  expiresAt?: string;
}

/** The selected pair's local and remote candidate types, read in the page. */
function selectedPair(page: Page, tag: string): Promise<{ local: string; remote: string; remotes: string[] }> {
  return page.evaluate(async (tag) => {
    const pc = (document.querySelector(tag) as unknown as { call: { peer?: { pc: RTCPeerConnection } } }).call.peer?.pc;
    const out = { local: '', remote: '', remotes: [] as string[] };
    if (!pc) return out;
    const stats = await pc.getStats();
    stats.forEach((s) => {
      if (s.type === 'remote-candidate') out.remotes.push(s.candidateType);
      if (s.type === 'candidate-pair' && s.nominated && s.state === 'succeeded') {
        out.local = stats.get(s.localCandidateId)?.candidateType ?? '';
        out.remote = stats.get(s.remoteCandidateId)?.candidateType ?? '';
      }
    });
    return out;
  }, tag);
}

describe('TURN credentials from the app, through a real coturn', () => {
  let coturn: Coturn;
  let running: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    coturn = await Coturn.start({ secret: SECRET });
    running = await startApp({
      TURN_URL: `turn:127.0.0.1:${coturn.port}?transport=udp`,
      TURN_SECRET: SECRET,
      TURN_TTL_SECONDS: String(TTL),
      ICE_TRANSPORT_POLICY: 'relay',
    });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await coturn?.stop();
  });

  test('GET /api/ice-servers: a credential in coturn’s REST scheme, signed with the secret, expiring after TURN_TTL_SECONDS', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await fetch(`${running.url}/api/ice-servers`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as IceAnswer;
    expect(body.iceTransportPolicy).toBe('relay');
    const [turn] = body.iceServers;
    expect(turn!.urls).toEqual([`turn:127.0.0.1:${coturn.port}?transport=udp`]);
    const [expiry, who] = turn!.username!.split(':');
    expect(Number(expiry)).toBeGreaterThanOrEqual(before + TTL);
    expect(Number(expiry)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + TTL);
    expect(who).toMatch(/^web-[0-9a-f]{12}$/);
    expect(turn!.credential).toBe(createHmac('sha1', SECRET).update(turn!.username!).digest('base64'));
    expect(Date.parse(body.expiresAt!)).toBe(Number(expiry) * 1000);
    // Each page gets its own.
    const again = (await (await fetch(`${running.url}/api/ice-servers`)).json()) as IceAnswer;
    expect(again.iceServers[0]!.username).not.toBe(turn!.username);
  });

  test('a one2one call relayed on both sides decodes, and both pages show the TURN route', async () => {
    const open = async (): Promise<Page> => {
      const page = await browser.newPage();
      await page.goto(`${running.url}/one2one.html`);
      return page;
    };
    const [alice, bob] = [await open(), await open()];
    const inner = (page: Page, selector: string) => page.locator(`one2one-demo >> ${selector}`);
    for (const [page, name] of [
      [alice, 'alice'],
      [bob, 'bob'],
    ] as const) {
      await inner(page, '#name').fill(name);
      await inner(page, '#register').click();
    }
    await eventually(
      () => inner(bob, '#online').textContent(),
      (t) => /alice/.test(t ?? ''),
    );
    await inner(alice, '#peer').fill('bob');
    await inner(alice, '#call').click();
    await inner(bob, '#accept').click();
    for (const page of [alice, bob]) {
      await eventually(
        async () => (await decodedFrames(page, demoPeer, 'one2one-demo')).remote ?? 0,
        (n) => n > 10,
        30_000,
        'frames decoded over the relay',
      );
      const pair = await selectedPair(page, 'one2one-demo');
      // The page relays only; the media server, given its own credential, offers relay
      // candidates too.
      expect(pair.local).toBe('relay');
      expect(pair.remotes).toContain('relay');
      await eventually(
        () => inner(page, 'stage-stats >> #route').first().textContent(),
        (t) => t === 'TURN (relay)',
      );
    }
    await inner(alice, '#stop').click();
    await alice.close();
    await bob.close();
    await noPipelinesLeft(running.app);
    // coturn saw the app's credentials: the pages' and the media server's.
    expect(coturn.log).toMatch(/web-[0-9a-f]{12}/);
    expect(coturn.log).toMatch(/media-server/);
  });

  test.each([
    ['expired an hour ago', SECRET, -3600],
    ['signed with another secret', 'not-the-secret', TTL],
  ])('a credential %s is refused by coturn, and the page says why', async (_what, secret, inSeconds) => {
    const page = await browser.newPage();
    // The page's own request for ICE servers answered with this credential, as a stale or
    // foreign one would come.
    await page.route('**/api/ice-servers', (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({
          iceTransportPolicy: 'relay',
          iceServers: [
            {
              urls: [`turn:127.0.0.1:${coturn.port}?transport=udp`],
              ...turnCredential(secret, 'web-test', Math.floor(Date.now() / 1000) + inSeconds),
            },
          ],
        }),
      }),
    );
    await page.goto(`${running.url}/helloworld.html`);
    await page.click('#start');
    const error = await eventually(
      () => page.locator('hello-world-demo >> stage-status >> .error').textContent(),
      (t) => !!t,
      30_000,
      'the page to say why',
    );
    expect(error).toMatch(/media connection failed .*no TURN relay could be set up; the TURN server refused its credentials/);
    expect((await decodedFrames(page, demoPeer, 'hello-world-demo')).remote ?? 0).toBe(0);
    await page.close();
    await noPipelinesLeft(running.app);
  });
});
