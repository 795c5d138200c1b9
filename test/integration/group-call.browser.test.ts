// The group call (SFU) in real browsers: three pages join a room and each decodes the other
// two; one leaves, the others are told and keep decoding each other; all leave and no
// pipeline is left. Two joins racing for a new room make one room.

import type { Browser, Page } from 'playwright-core';
import { eventually, pipelinesOnMediaServer, startApp, type RunningApp } from '../helpers/app';
import { decodedFrames, launchChromium, type PeerPicker } from '../helpers/browser';
import { captureFrame, meanColour } from '../helpers/frames';
import { TestSocket } from '../helpers/ws';

/** In the page: each remote participant's peer connection, by name. */
const remotePeers: PeerPicker = () => {
  const demo = document.querySelector('group-call-demo') as unknown as {
    call: { name: string; peers: Map<string, { pc: RTCPeerConnection }> };
  };
  return Object.fromEntries([...demo.call.peers].filter(([name]) => name !== demo.call.name).map(([name, p]) => [name, p.pc]));
};
const decodedByName = (page: Page): Promise<Record<string, number>> => decodedFrames(page, remotePeers);

const inner = (page: Page, selector: string) => page.locator(`group-call-demo >> ${selector}`);

describe('group call in Chromium', () => {
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

  const join = async (name: string, room = 'standup'): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/groupcall.html`);
    await inner(page, '#name').fill(name);
    await inner(page, '#room').fill(room);
    await inner(page, '#join').click();
    return page;
  };

  const decodesEach = async (page: Page, names: string[]): Promise<Record<string, number>> => {
    const seen = await eventually(
      () => decodedByName(page),
      (d) => names.every((n) => (d[n] ?? 0) > 0),
      20_000,
    );
    for (const n of names) expect(seen[n]).toBeGreaterThan(0);
    return seen;
  };

  test('three participants see each other; one leaves; all leave', async () => {
    const ann = await join('ann');
    const ben = await join('ben');
    const cat = await join('cat');
    await decodesEach(ann, ['ben', 'cat']);
    await decodesEach(ben, ['ann', 'cat']);
    await decodesEach(cat, ['ann', 'ben']);
    expect(await pipelinesOnMediaServer(running.app)).toHaveLength(1);

    await inner(cat, '#leave').click();
    for (const page of [ann, ben]) {
      const left = await eventually(
        () => decodedByName(page),
        (d) => !('cat' in d),
      );
      expect(Object.keys(left)).not.toContain('cat');
    }
    const before = await decodedByName(ann);
    const later = await eventually(
      () => decodedByName(ann),
      (d) => (d.ben ?? 0) > (before.ben ?? 0) + 10,
    );
    expect(later.ben).toBeGreaterThan((before.ben ?? 0) + 10);
    await decodesEach(ben, ['ann']);

    await inner(ann, '#leave').click();
    await ben.close();
    expect(
      await eventually(
        () => pipelinesOnMediaServer(running.app),
        (p) => p.length === 0,
      ),
    ).toEqual([]);
    await Promise.all([ann.close(), cat.close()]);

    // The room's session is in the call history, ended when the last one left; the rooms
    // API has each participant's join and leave.
    type Calls = { items: { kind: string; room?: string; participants: string[]; endReason?: string }[] };
    const calls = await eventually(
      async () => (await (await fetch(`${running.url}/api/calls`)).json()) as Calls,
      (c) => c.items.some((x) => x.kind === 'groupcall' && x.endReason !== undefined),
    );
    const session = calls.items.find((x) => x.kind === 'groupcall' && x.room === 'standup');
    expect(session?.participants.sort()).toEqual(['ann', 'ben', 'cat']);
    expect(session?.endReason).toBe('hang-up');
    type Rooms = { items: { name: string; participants: { name: string; leftAt?: string }[] }[] };
    const rooms = (await (await fetch(`${running.url}/api/rooms`)).json()) as Rooms;
    const standup = rooms.items.find((r) => r.name === 'standup');
    expect(standup?.participants.map((p) => p.name).sort()).toEqual(['ann', 'ben', 'cat']);
    expect(standup?.participants.every((p) => p.leftAt)).toBe(true);
  }, 120_000);

  test('your own tile shows your camera; a bad name is refused in words, outside the room; invite links fill the room', async () => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/groupcall.html`);
    // An empty name: refused in words before anything is sent, and nothing is half joined.
    await inner(page, '#room').fill('tiles');
    await inner(page, '#join').click();
    const status = () =>
      page.evaluate(() => {
        const root = document.querySelector('group-call-demo')!.shadowRoot!;
        const banner = root.querySelector('stage-status')!.shadowRoot!;
        return {
          state: banner.querySelector('.state')?.textContent?.trim() ?? '',
          error: banner.querySelector('.error')?.textContent?.trim() ?? '',
          leave: (root.querySelector('#leave') as HTMLButtonElement).disabled,
          join: (root.querySelector('#join') as HTMLButtonElement).disabled,
        };
      });
    expect(await status()).toEqual({
      state: 'Choose a name and a room, then join.',
      error: 'Choose a name: 1 to 64 letters, digits, spaces, dots, underscores or hyphens.',
      leave: true,
      join: false,
    });
    // Enter in the name field joins.
    await inner(page, '#name').fill('dee');
    await inner(page, '#name').press('Enter');
    await eventually(status, (s) => s.state.startsWith('You are in room tiles as dee'));
    // The self tile keeps the camera preview once the sending connection is answered.
    const self = await eventually(
      () =>
        page.evaluate(() => {
          const tile = document.querySelector('group-call-demo')!.shadowRoot!.querySelector('stage-video-tile');
          const video = tile?.shadowRoot?.querySelector('video');
          const track = (video?.srcObject as MediaStream | null | undefined)?.getVideoTracks()[0];
          return { width: video?.videoWidth ?? 0, time: video?.currentTime ?? 0, label: track?.label ?? '' };
        }),
      (v) => v.width > 0 && v.time > 1.5,
      20_000,
    );
    expect(self.label).not.toBe('');
    // Another page opened from the invite link has the room filled in.
    const invite = await inner(page, '#invite').getAttribute('href');
    expect(invite).toMatch(/\/groupcall\.html\?room=tiles$/);
    const guest = await browser.newPage();
    await guest.goto(invite!);
    expect(await inner(guest, '#room').inputValue()).toBe('tiles');
    await guest.close();
    await inner(page, '#leave').click();
    await page.close();
    await eventually(
      () => pipelinesOnMediaServer(running.app),
      (p) => p.length === 0,
    );
  });

  test('muting: hidden video goes black for the others, muted audio goes silent, and both come back', async () => {
    const ann = await join('ann', 'quiet');
    const ben = await join('ben', 'quiet');
    await decodesEach(ann, ['ben']);
    const benOnAnn = 'group-call-demo >> stage-video-tile[video-id=remote-ben] >> video';
    const brightness = async (): Promise<number> => {
      const f = await captureFrame(ann, benOnAnn);
      return meanColour(f, { x: 0, y: 0, width: f.width, height: f.height }).reduce((a, b) => a + b) / 3;
    };
    /** Audio energy ben's stream brings to ann over one second. */
    const energyPerSecond = async (): Promise<number> => {
      const total = (): Promise<number> =>
        ann.evaluate(async () => {
          const demo = document.querySelector('group-call-demo') as unknown as {
            call: { peers: Map<string, { pc: RTCPeerConnection }> };
          };
          let energy = 0;
          (await demo.call.peers.get('ben')!.pc.getStats()).forEach((r: Record<string, unknown>) => {
            if (r.type === 'inbound-rtp' && r.kind === 'audio') energy = Number(r.totalAudioEnergy ?? 0);
          });
          return energy;
        });
      const before = await total();
      await ann.waitForTimeout(1000);
      return (await total()) - before;
    };
    expect(await eventually(brightness, (b) => b > 40, 10_000)).toBeGreaterThan(40);
    expect(await eventually(energyPerSecond, (e) => e > 1e-4, 10_000)).toBeGreaterThan(1e-4);

    /** The marks on ben's tile: on ann's page, on his own, and on a page that joins later. */
    const marks = (page: Page, tile: string) =>
      page.evaluate((tile) => {
        const t = document.querySelector('group-call-demo')!.shadowRoot!.querySelector(`stage-video-tile[video-id=${tile}]`);
        return [...(t?.shadowRoot?.querySelectorAll('.off span') ?? [])].map((s) => s.textContent);
      }, tile);
    expect(await marks(ann, 'remote-ben')).toEqual([]);

    await inner(ben, '#toggle-video').click();
    await inner(ben, '#toggle-audio').click();
    await eventually(brightness, (b) => b < 8, 10_000, 'ben’s picture to go black on ann’s page');
    await eventually(energyPerSecond, (e) => e < 1e-6, 10_000, 'ben’s audio to go silent on ann’s page');
    const off = ['Microphone off', 'Camera off'];
    expect(
      await eventually(
        () => marks(ann, 'remote-ben'),
        (m) => m.length === 2,
      ),
    ).toEqual(off);
    expect(await marks(ben, 'local')).toEqual(off);
    expect(await inner(ben, '#toggle-video').textContent()).toMatch(/Turn camera on/);
    const cy = await join('cy', 'quiet');
    expect(
      await eventually(
        () => marks(cy, 'remote-ben'),
        (m) => m.length === 2,
      ),
    ).toEqual(off);
    await cy.close();

    await inner(ben, '#toggle-video').click();
    await inner(ben, '#toggle-audio').click();
    await eventually(brightness, (b) => b > 40, 10_000, 'ben’s picture to come back');
    await eventually(energyPerSecond, (e) => e > 1e-4, 10_000, 'ben’s audio to come back');
    expect(
      await eventually(
        () => marks(ann, 'remote-ben'),
        (m) => m.length === 0,
      ),
    ).toEqual([]);
    await Promise.all([ann.close(), ben.close()]);
    await eventually(
      () => pipelinesOnMediaServer(running.app),
      (p) => p.length === 0,
    );
  }, 90_000);

  test('two joins of the same new room at the same instant make one room', async () => {
    const [a, b] = await Promise.all([
      TestSocket.open(`${running.wsUrl}/groupcall`),
      TestSocket.open(`${running.wsUrl}/groupcall`),
    ]);
    a.send({ id: 'joinRoom', name: 'a', room: 'race' });
    b.send({ id: 'joinRoom', name: 'b', room: 'race' });
    const [ma, mb] = await Promise.all([a.next<{ id: string; data?: string[] }>(), b.next<{ id: string; data?: string[] }>()]);
    // One of them found the other already there.
    const lists = [ma, mb].filter((m) => m.id === 'existingParticipants').map((m) => m.data);
    expect(lists.flat().length).toBe(1);
    expect(await pipelinesOnMediaServer(running.app)).toHaveLength(1);
    a.close();
    b.close();
    expect(
      await eventually(
        () => pipelinesOnMediaServer(running.app),
        (p) => p.length === 0,
      ),
    ).toEqual([]);
  });
});
