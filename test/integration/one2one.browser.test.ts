// The one-to-one call demo in real browsers: two pages register, call and accept, and both
// decode the other's video through the embedded media server. Hang-up, a page that closes
// mid-call, and the refusals (reject, busy, unknown user, yourself, a taken or bad name).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { eventually, pipelinesOnMediaServer, startApp, type RunningApp } from '../helpers/app';
import { cameraClosed, decodedFrames, demoPeer, launchChromium, recSeconds, slowCamera } from '../helpers/browser';
import { TestSocket } from '../helpers/ws';

type Shown = { state: string; error: string; notice: string; remoteWidth: number; framesDecoded: number };

async function shown(page: Page): Promise<Shown> {
  const { remote: framesDecoded = 0 } = await decodedFrames(page, demoPeer, 'one2one-demo');
  const seen = await page.evaluate(() => {
    const demo = document.querySelector('one2one-demo') as HTMLElement & {
      call: { state: string; error: string; notice: string; peer?: { pc: RTCPeerConnection } };
    };
    const video = demo.shadowRoot!.querySelector('stage-video-tile[video-id=remote]')!.shadowRoot!.querySelector('video')!;
    const { state, error, notice } = demo.call;
    return { state, error, notice, remoteWidth: video.videoWidth };
  });
  return { ...seen, framesDecoded };
}

const inner = (page: Page, selector: string) => page.locator(`one2one-demo >> ${selector}`);

async function register(page: Page, name: string): Promise<void> {
  await inner(page, '#name').fill(name);
  await inner(page, '#register').click();
  await eventually(
    () => shown(page),
    (s) => s.state === 'registered' || s.error !== '',
  );
}

describe('one2one in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;
  const pages: Page[] = [];

  const open = async (): Promise<Page> => {
    const page = await browser.newPage();
    pages.push(page);
    await page.goto(`${running.url}/one2one.html`);
    return page;
  };

  beforeAll(async () => {
    // Stats snapshots every second rather than ten, so the test sees some.
    running = await startApp({ STATS_INTERVAL_SECONDS: '1' });
    browser = await launchChromium();
  });

  afterEach(async () => {
    await Promise.all(pages.splice(0).map((p) => p.close()));
    await eventually(
      () => pipelinesOnMediaServer(running.app),
      (p) => p.length === 0,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  const connectCall = async (record = false): Promise<[Page, Page]> => {
    const [alice, bob] = [await open(), await open()];
    await register(alice, 'alice');
    await register(bob, 'bob');
    await inner(alice, '#peer').fill('bob');
    if (record) await inner(alice, '#record').check();
    await inner(alice, '#call').click();
    const ringing = await eventually(
      () => shown(bob),
      (s) => s.state === 'incoming',
    );
    // The callee learns before answering whether the call will be recorded.
    expect(ringing.notice).toBe(record ? 'alice is calling you; the call will be recorded' : 'alice is calling you');
    await inner(bob, '#accept').click();
    for (const page of [alice, bob]) {
      const s = await eventually(
        () => shown(page),
        (v) => v.remoteWidth > 0 && v.framesDecoded > 0,
        20_000,
      );
      expect(s.state).toBe('in-call');
      expect(s.remoteWidth).toBeGreaterThan(0);
    }
    expect(await pipelinesOnMediaServer(running.app)).toHaveLength(1);
    return [alice, bob];
  };

  test('in words: Enter registers, the page says what to do next and who is online; calling from the list rings', async () => {
    const status = (page: Page) => inner(page, 'stage-status .state').textContent();
    const online = (page: Page) => inner(page, '#online').textContent();
    const alice = await open();
    expect((await status(alice))?.trim()).toBe('Choose a name and register: others call you by it.');
    await inner(alice, '#name').fill('alice');
    await inner(alice, '#name').press('Enter');
    await eventually(
      () => status(alice),
      (t) => t?.trim() === 'Registered as alice. Call someone who is online, or wait for a call.',
    );
    expect((await online(alice))?.replace(/\s+/g, ' ').trim()).toBe('Online: nobody else yet (open this page in another tab)');
    const bob = await open();
    await register(bob, 'bob');
    // Each sees the other, and no longer after one leaves.
    await eventually(
      () => online(alice),
      (t) => /Call bob/.test(t ?? ''),
    );
    expect(await online(bob)).toMatch(/Call alice/);
    await inner(alice, 'button.person').click();
    const ringing = await eventually(
      () => shown(bob),
      (s) => s.state === 'incoming',
    );
    expect(ringing.notice).toBe('alice is calling you');
    await inner(bob, '#reject').click();
    await bob.close();
    await eventually(
      () => online(alice),
      (t) => /nobody else yet/.test(t ?? ''),
    );
  });

  test('a call: both sides decode, the callee hangs up, both are told, no pipeline is left', async () => {
    const [alice, bob] = await connectCall();
    // Alice turns her camera off: her own tile and bob's tile of her say so, and on again.
    const marks = (page: Page, tile: string) =>
      page.evaluate((tile) => {
        const t = document.querySelector('one2one-demo')!.shadowRoot!.querySelector(`stage-video-tile[video-id=${tile}]`);
        return [...(t?.shadowRoot?.querySelectorAll('.off span') ?? [])].map((s) => s.textContent);
      }, tile);
    await inner(alice, '#toggle-video').click();
    expect(
      await eventually(
        () => marks(bob, 'remote'),
        (m) => m.length === 1,
      ),
    ).toEqual(['Camera off']);
    expect(await marks(alice, 'local')).toEqual(['Camera off']);
    await inner(alice, '#toggle-video').click();
    expect(
      await eventually(
        () => marks(bob, 'remote'),
        (m) => m.length === 0,
      ),
    ).toEqual([]);
    // While media flows the call's stats are snapshotted into the store.
    const callId = ((await (await fetch(`${running.url}/api/calls`)).json()) as { items: { id: string }[] }).items[0]!.id;
    const stats = await eventually(
      async () =>
        (await (await fetch(`${running.url}/api/sessions/${callId}/stats`)).json()) as { items: Record<string, number>[] },
      (p) => p.items.some((s) => (s.bitrateInKbps ?? 0) > 0 && s.width === 640 && s.rttMs !== undefined),
    );
    const snapshot = stats.items.find((s) => s.width === 640 && s.rttMs !== undefined)!;
    expect(snapshot).toMatchObject({ height: 480 });
    // On loopback: a round trip of well under a second, and next to no loss.
    expect(snapshot.rttMs).toBeGreaterThanOrEqual(0);
    expect(snapshot.rttMs).toBeLessThan(1000);
    expect(snapshot.packetLoss).toBeLessThan(0.05);

    await inner(bob, '#stop').click();
    const after = await eventually(
      () => shown(alice),
      (s) => s.state === 'registered',
    );
    expect(after.notice).toMatch(/ended/);
    expect((await shown(bob)).state).toBe('registered');
    expect(
      await eventually(
        () => pipelinesOnMediaServer(running.app),
        (p) => p.length === 0,
      ),
    ).toEqual([]);
    const calls = (await (await fetch(`${running.url}/api/calls`)).json()) as { items: { id: string; endReason?: string }[] };
    expect(calls.items.find((c) => c.id === callId)?.endReason).toBe('hang-up');

    // Both can call again.
    await inner(bob, '#peer').fill('alice');
    await inner(bob, '#call').click();
    expect(
      (
        await eventually(
          () => shown(alice),
          (s) => s.state === 'incoming',
        )
      ).notice,
    ).toMatch(/bob is calling/);
  }, 90_000);

  test('a recorded call leaves one playable file per side in the repository, linked to the call', async () => {
    const [alice, bob] = await connectCall(true);
    expect((await shown(bob)).notice).toBe('In a call with alice (recorded)');
    expect((await shown(alice)).notice).toBe('In a call with bob (recorded)');
    // Both pages show REC with the time recorded, and it runs; a call that is not recorded shows none.
    for (const page of [alice, bob]) {
      const rec = async () => recSeconds(await inner(page, 'stage-rec [role=timer]').textContent());
      const first = await eventually(rec, (s) => s >= 1, 10_000, 'REC to count');
      expect(await eventually(rec, (s) => s >= first + 2, 10_000, 'REC to go on counting')).toBeGreaterThanOrEqual(first + 2);
    }
    await inner(alice, '#stop').click();
    expect(await inner(alice, 'stage-rec').count()).toBe(0);
    await eventually(
      () => shown(bob),
      (s) => s.state === 'registered',
    );
    const calls = (await (await fetch(`${running.url}/api/calls`)).json()) as { items: { id: string }[] };
    const callId = calls.items[0]!.id;
    const page = await eventually(
      async () =>
        (await (await fetch(`${running.url}/api/recordings`)).json()) as {
          items: { sessionId?: string; participants: string[]; durationMs: number; demo: string }[];
        },
      (p) => p.items.filter((r) => r.sessionId === callId).length === 2,
    );
    const mine = page.items.filter((r) => r.sessionId === callId);
    expect(mine.map((r) => r.participants[0]).sort()).toEqual(['alice', 'bob']);
    // The recordings page shows the call once, with its two files under it.
    const listing = await open();
    await listing.goto(`${running.url}/recordings.html`);
    const call = listing.locator(`recordings-page section.call[data-session="${callId}"]`);
    await call.waitFor();
    expect(await call.locator('h2').textContent()).toMatch(/^One-to-one call between (alice and bob|bob and alice), /);
    expect((await call.locator('.file strong').allTextContents()).sort()).toEqual(['alice', 'bob']);
    for (const r of mine) {
      expect(r.demo).toBe('one2one');
      expect(r.durationMs).toBeGreaterThan(2000);
    }
  }, 90_000);

  test('the callee’s page closing mid-call ends it for the caller and releases the pipeline', async () => {
    const [alice, bob] = await connectCall();
    const callId = ((await (await fetch(`${running.url}/api/calls`)).json()) as { items: { id: string }[] }).items[0]!.id;
    await bob.close();
    const after = await eventually(
      () => shown(alice),
      (s) => s.state === 'registered',
    );
    expect(after.notice).toMatch(/ended/);
    expect(
      await eventually(
        () => pipelinesOnMediaServer(running.app),
        (p) => p.length === 0,
      ),
    ).toEqual([]);
    // The history says how it ended: not a hang-up, the callee went away.
    const ended = await eventually(
      async () => (await (await fetch(`${running.url}/api/calls`)).json()) as { items: { id: string; endReason?: string }[] },
      (c) => c.items.some((x) => x.id === callId && x.endReason !== undefined),
    );
    expect(ended.items.find((x) => x.id === callId)?.endReason).toBe('disconnected');
  }, 90_000);

  test('hanging up while the camera opens closes the camera, and says only that the call ended', async () => {
    const alice = await browser.newPage();
    pages.push(alice);
    await slowCamera(alice, 800);
    await alice.goto(`${running.url}/one2one.html`);
    const bob = await open();
    await register(alice, 'alice');
    await register(bob, 'bob');
    await inner(alice, '#peer').fill('bob');
    await inner(alice, '#call').click();
    await inner(alice, '#stop').click();
    const states = await cameraClosed(alice);
    expect(states).toEqual(['ended', 'ended']);
    const after = await shown(alice);
    expect({ state: after.state, error: after.error, notice: after.notice }).toEqual({
      state: 'registered',
      error: '',
      notice: 'Call ended',
    });
    expect((await shown(bob)).state).toBe('registered');
  }, 60_000);

  test('a rejected call is refused in words', async () => {
    const [alice, bob] = [await open(), await open()];
    await register(alice, 'alice');
    await register(bob, 'bob');
    await inner(alice, '#peer').fill('bob');
    await inner(alice, '#call').click();
    await eventually(
      () => shown(bob),
      (s) => s.state === 'incoming',
    );
    await inner(bob, '#reject').click();
    const refused = await eventually(
      () => shown(alice),
      (s) => s.error !== '',
    );
    expect(refused.error).toMatch(/bob declined/);
    expect(refused.state).toBe('registered');
  }, 60_000);
});

describe('one2one refusals (signaling only)', () => {
  let running: RunningApp;
  const sockets: TestSocket[] = [];

  const user = async (name: string): Promise<TestSocket> => {
    const socket = await TestSocket.open(`${running.wsUrl}/one2one`);
    sockets.push(socket);
    socket.send({ id: 'register', name });
    expect(await socket.next()).toEqual({ id: 'registerResponse', response: 'accepted' });
    return socket;
  };
  const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';

  beforeAll(async () => {
    running = await startApp();
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await running?.close();
  });

  test('a taken name and a bad name are rejected in words', async () => {
    await user('carol');
    const again = await TestSocket.open(`${running.wsUrl}/one2one`);
    sockets.push(again);
    again.send({ id: 'register', name: 'carol' });
    expect(await again.next()).toEqual({
      id: 'registerResponse',
      response: 'rejected',
      message: 'The name carol is already taken',
    });
    again.send({ id: 'register', name: 'no spaces please' });
    expect(await again.next()).toMatchObject({
      id: 'registerResponse',
      response: 'rejected',
      message: expect.stringMatching(/letters, digits/),
    });
  });

  test('calling an unknown user, yourself, or a busy user is refused in words', async () => {
    const dave = await user('dave');
    dave.send({ id: 'call', from: 'dave', to: 'nobody', sdpOffer: offer });
    expect(await dave.next()).toEqual({ id: 'callResponse', response: 'rejected', message: 'User nobody is not registered' });
    dave.send({ id: 'call', from: 'dave', to: 'dave', sdpOffer: offer });
    expect(await dave.next()).toEqual({ id: 'callResponse', response: 'rejected', message: 'You cannot call yourself' });

    const erin = await user('erin');
    const frank = await user('frank');
    dave.send({ id: 'call', from: 'dave', to: 'erin', sdpOffer: offer });
    expect(await erin.next()).toEqual({ id: 'incomingCall', from: 'dave' });
    frank.send({ id: 'call', from: 'frank', to: 'erin', sdpOffer: offer });
    expect(await frank.next()).toEqual({
      id: 'callResponse',
      response: 'rejected',
      message: 'User erin is busy in another call',
    });
    // The caller gives up while it rings: the callee hears it.
    dave.send({ id: 'stop' });
    expect(await erin.next()).toMatchObject({ id: 'stopCommunication' });
    // The refused call to a busy user is in the history, with its reason.
    type Calls = { items: { participants: string[]; endReason?: string }[] };
    const calls = await eventually(
      async () => (await (await fetch(`${running.url}/api/calls`)).json()) as Calls,
      (c) => c.items.some((x) => x.endReason === 'busy'),
    );
    expect(calls.items.find((x) => x.endReason === 'busy')?.participants).toEqual(['frank', 'erin']);
  });
});

describe('one2one call history', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stage-history-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  test('a refused call appears in GET /api/calls with its end reason, and survives a restart', async () => {
    let running = await startApp({ DATA_DIR: dataDir });
    const [gina, hal] = [await TestSocket.open(`${running.wsUrl}/one2one`), await TestSocket.open(`${running.wsUrl}/one2one`)];
    gina.send({ id: 'register', name: 'gina' });
    hal.send({ id: 'register', name: 'hal' });
    await Promise.all([gina.next(), hal.next()]);
    gina.send({ id: 'call', from: 'gina', to: 'hal', sdpOffer: 'v=0\r\n' });
    expect(await hal.next()).toEqual({ id: 'incomingCall', from: 'gina' });
    hal.send({ id: 'incomingCallResponse', from: 'gina', callResponse: 'reject' });
    expect(await gina.next()).toMatchObject({ id: 'callResponse', response: 'rejected' });

    const listed = async (): Promise<{ total: number; items: { participants: string[]; endReason?: string }[] }> =>
      (await (await fetch(`${running.url}/api/calls?limit=5`)).json()) as never;
    const before = await eventually(listed, (p) => p.total === 1);
    expect(before.items[0]).toMatchObject({ participants: ['gina', 'hal'], endReason: 'rejected' });
    gina.close();
    hal.close();
    await running.close();

    running = await startApp({ DATA_DIR: dataDir });
    try {
      expect((await listed()).items[0]).toMatchObject({ participants: ['gina', 'hal'], endReason: 'rejected' });
      const bad = await fetch(`${running.url}/api/calls?limit=1000`);
      expect(bad.status).toBe(400);
    } finally {
      await running.close();
    }
  });
});
