// The one-to-many demo in real browsers: one presenter and three viewers, all decoding; a
// viewer leaving disturbs no one; the presenter leaving tells every viewer and leaves no
// pipeline. Refusals (a second presenter, a viewer with no presenter) and independent rooms
// are checked over plain signaling.

import type { Browser, Page } from 'playwright-core';
import { eventually, pipelinesOnMediaServer, startApp, type RunningApp } from '../helpers/app';
import { decodedFrames, launchChromium, demoPeer } from '../helpers/browser';
import { TestSocket } from '../helpers/ws';

type Shown = { state: string; error: string; notice: string; viewers: number; framesDecoded: number; remoteWidth: number };

async function shown(page: Page): Promise<Shown> {
  const { remote: framesDecoded = 0 } = await decodedFrames(page, demoPeer, 'one2many-demo');
  const seen = await page.evaluate(() => {
    const demo = document.querySelector('one2many-demo') as HTMLElement & {
      call: { state: string; error: string; notice: string; viewers: number; peer?: { pc: RTCPeerConnection } };
    };
    const video = demo.shadowRoot!.querySelector('stage-video-tile[video-id=remote]')?.shadowRoot!.querySelector('video');
    const { state, error, notice, viewers } = demo.call;
    return { state, error, notice, viewers, remoteWidth: video?.videoWidth ?? 0 };
  });
  return { ...seen, framesDecoded };
}

const inner = (page: Page, selector: string) => page.locator(`one2many-demo >> ${selector}`);

describe('one2many in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    running = await startApp();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  const open = async (): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/one2many.html`);
    return page;
  };

  /** A page presenting its camera to `room`. */
  const presentIn = async (room: string): Promise<Page> => {
    const presenter = await open();
    await inner(presenter, '#room').fill(room);
    await inner(presenter, '#presenter').click();
    await eventually(
      () => shown(presenter),
      (s) => s.state === 'presenting',
    );
    return presenter;
  };

  const decoding = (page: Page): Promise<Shown> =>
    eventually(
      () => shown(page),
      (s) => s.framesDecoded > 0 && s.remoteWidth > 0,
      20_000,
    );

  const keepsDecoding = async (page: Page): Promise<void> => {
    const before = (await shown(page)).framesDecoded;
    const after = await eventually(
      () => shown(page),
      (s) => s.framesDecoded > before + 10,
    );
    expect(after.framesDecoded).toBeGreaterThan(before + 10);
  };

  test('a presenter and three viewers; a viewer leaves; the presenter leaves', async () => {
    const presenter = await presentIn('launch');

    const viewers = [await open(), await open(), await open()];
    for (const v of viewers) {
      await inner(v, '#room').fill('launch');
      await inner(v, '#viewer').click();
    }
    for (const v of viewers) expect((await decoding(v)).state).toBe('viewing');
    expect(
      (
        await eventually(
          () => shown(presenter),
          (s) => s.viewers === 3,
        )
      ).viewers,
    ).toBe(3);

    await viewers[0]!.close();
    await eventually(
      () => shown(presenter),
      (s) => s.viewers === 2,
    );
    await keepsDecoding(viewers[1]!);
    await keepsDecoding(viewers[2]!);

    await inner(presenter, '#stop').click();
    for (const v of viewers.slice(1)) {
      const after = await eventually(
        () => shown(v),
        (s) => s.state === 'idle',
      );
      expect(after.notice).toMatch(/presenter left/);
    }
    expect(
      await eventually(
        () => pipelinesOnMediaServer(running.app),
        (p) => p.length === 0,
      ),
    ).toEqual([]);
    await Promise.all([presenter, ...viewers.slice(1)].map((p) => p.close()));

    // The history has the presenter's Stop as a hang-up (not the socket closing after it),
    // and every viewer who came, by arrival.
    type Calls = { items: { kind: string; room?: string; participants: string[]; endReason?: string }[] };
    const calls = (await (await fetch(`${running.url}/api/calls`)).json()) as Calls;
    const broadcast = calls.items.find((c) => c.kind === 'one2many' && c.room === 'launch');
    expect(broadcast?.endReason).toBe('hang-up');
    expect(broadcast?.participants).toEqual(['presenter', 'viewer-1', 'viewer-2', 'viewer-3']);
  }, 120_000);

  test("viewers see the presenter's microphone and camera go off and on, latecomers too", async () => {
    const marks = (page: Page, tile: string) =>
      page.evaluate((tile) => {
        const t = document.querySelector('one2many-demo')!.shadowRoot!.querySelector(`stage-video-tile[video-id=${tile}]`);
        return [...(t?.shadowRoot?.querySelectorAll('.off span') ?? [])].map((s) => s.textContent).sort();
      }, tile);
    const presenter = await presentIn('muted');
    const early = await open();
    await inner(early, '#room').fill('muted');
    await inner(early, '#viewer').click();
    await decoding(early);
    expect(await marks(early, 'remote')).toEqual([]);

    await inner(presenter, '#toggle-video').click();
    await inner(presenter, '#toggle-audio').click();
    expect(await marks(presenter, 'local')).toEqual(['Camera off', 'Microphone off']);
    expect(
      await eventually(
        () => marks(early, 'remote'),
        (m) => m.length === 2,
      ),
    ).toEqual(['Camera off', 'Microphone off']);
    // A viewer who comes now is told at once.
    const late = await open();
    await inner(late, '#room').fill('muted');
    await inner(late, '#viewer').click();
    expect(
      await eventually(
        () => marks(late, 'remote'),
        (m) => m.length === 2,
      ),
    ).toEqual(['Camera off', 'Microphone off']);

    await inner(presenter, '#toggle-video').click();
    for (const viewer of [early, late]) {
      expect(
        await eventually(
          () => marks(viewer, 'remote'),
          (m) => m.length === 1,
        ),
      ).toEqual(['Microphone off']);
    }
    for (const page of [presenter, early, late]) await page.close();
  });

  test('two rooms broadcast at once, each to its own viewers; one ending leaves the other playing', async () => {
    const rooms = ['north', 'south'];
    const presenters = [await open(), await open()];
    for (const [i, p] of presenters.entries()) {
      await inner(p, '#room').fill(rooms[i]!);
      await inner(p, '#presenter').click();
      await eventually(
        () => shown(p),
        (s) => s.state === 'presenting',
      );
    }
    const viewers = [await open(), await open(), await open(), await open()];
    for (const [i, v] of viewers.entries()) {
      await inner(v, '#room').fill(rooms[i % 2]!);
      await inner(v, '#viewer').click();
    }
    for (const v of viewers) expect((await decoding(v)).state).toBe('viewing');
    // Each presenter counts only its own room's audience.
    for (const p of presenters) {
      expect(
        (
          await eventually(
            () => shown(p),
            (s) => s.viewers === 2,
          )
        ).viewers,
      ).toBe(2);
    }
    expect(await pipelinesOnMediaServer(running.app)).toHaveLength(2);

    await inner(presenters[0]!, '#stop').click();
    for (const v of [viewers[0]!, viewers[2]!]) {
      expect(
        (
          await eventually(
            () => shown(v),
            (s) => s.state === 'idle',
          )
        ).notice,
      ).toMatch(/presenter left/);
    }
    await keepsDecoding(viewers[1]!);
    await keepsDecoding(viewers[3]!);
    expect((await shown(viewers[1]!)).state).toBe('viewing');
    expect(
      await eventually(
        () => pipelinesOnMediaServer(running.app),
        (p) => p.length === 1,
      ),
    ).toHaveLength(1);
    await Promise.all([...presenters, ...viewers].map((p) => p.close()));
    expect(
      await eventually(
        () => pipelinesOnMediaServer(running.app),
        (p) => p.length === 0,
      ),
    ).toEqual([]);
  }, 120_000);
});

describe('one2many refusals and rooms (signaling only)', () => {
  let running: RunningApp;
  const sockets: TestSocket[] = [];
  const offer = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n';
  const socket = async (): Promise<TestSocket> => {
    const s = await TestSocket.open(`${running.wsUrl}/one2many`);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    running = await startApp();
  });

  afterAll(async () => {
    sockets.forEach((s) => s.close());
    await running?.close();
  });

  test('a viewer with no presenter is refused in words', async () => {
    const viewer = await socket();
    viewer.send({ id: 'viewer', sdpOffer: offer, room: 'empty' });
    expect(await viewer.next()).toEqual({
      id: 'viewerResponse',
      response: 'rejected',
      message: 'No active presenter in room empty. Try again later...',
    });
  });

  test('a second presenter in a room is refused, and a viewer of another, empty room is too', async () => {
    const first = await socket();
    first.send({ id: 'presenter', sdpOffer: offer, room: 'stage' });
    // The room is taken at once, even while the first presenter's offer is still processed.
    const second = await socket();
    second.send({ id: 'presenter', sdpOffer: offer, room: 'stage' });
    expect(await second.next()).toMatchObject({
      id: 'presenterResponse',
      response: 'rejected',
      message: expect.stringMatching(/room stage/),
    });
    const other = await socket();
    other.send({ id: 'viewer', sdpOffer: offer, room: 'elsewhere' });
    expect(await other.next()).toMatchObject({ id: 'viewerResponse', response: 'rejected' });
    first.close();
    expect(
      await eventually(
        () => pipelinesOnMediaServer(running.app),
        (p) => p.length === 0,
      ),
    ).toEqual([]);
  });
});
