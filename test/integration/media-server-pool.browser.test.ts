// KMS_URL naming two media servers (two embedded engines here): new sessions spread over
// them and stay where they were placed, and when one media server is lost (killed, then
// back without its objects) only the sessions it held are told; the others keep playing.

import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually, startApp, type RunningApp } from '../helpers/app';
import { decodedFrames, demoPeer, launchChromium } from '../helpers/browser';

jest.setTimeout(90_000);

type Shown = { state: string; error: string; framesDecoded: number };

async function shown(page: Page): Promise<Shown> {
  const { remote: framesDecoded = 0 } = await decodedFrames(page, demoPeer, 'hello-world-demo');
  const { state, error } = await page.evaluate(() => {
    const demo = document.querySelector('hello-world-demo') as unknown as { call: { state: string; error: string } };
    return { state: demo.call.state, error: demo.call.error };
  });
  return { state, error, framesDecoded };
}

describe('a pool of two media servers', () => {
  const engines: EngineProcess[] = [];
  let running: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) engines.push(await EngineProcess.start(pino({ level: 'warn' }), { logLevel: 'warn' }));
    running = await startApp({ KMS_URL: engines.map((e) => e.url).join(',') });
    await eventually(
      () => running.app.media.members.map((m) => m.state),
      (states) => states.every((s) => s === 'ready'),
      15_000,
    );
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    for (const e of engines) await e.stop();
  });

  const pipelinesPerMember = (): Promise<string[][]> => Promise.all(running.app.media.members.map((m) => m.pipelineIds()));

  const start = async (): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/helloworld.html`);
    await page.click('#start');
    await eventually(
      () => shown(page),
      (s) => s.framesDecoded > 0,
      20_000,
    );
    return page;
  };

  const keepsDecoding = async (page: Page): Promise<void> => {
    const before = (await shown(page)).framesDecoded;
    await eventually(
      () => shown(page),
      (s) => s.framesDecoded > before + 10,
      10_000,
    );
  };

  test('sessions spread over the members and stay; losing one ends only its sessions, in words', async () => {
    const pages = [await start(), await start()];
    // One session on each: the second went to the member with less load.
    const placed = await pipelinesPerMember();
    expect(placed.map((p) => p.length)).toEqual([1, 1]);

    // The first media server dies; its launcher brings it back, empty.
    const lostPid = engines[0]!.pid!;
    process.kill(lostPid, 'SIGKILL');
    await eventually(
      () => engines[0]!.pid,
      (pid) => pid !== undefined && pid !== lostPid,
      15_000,
    );

    // Exactly one page is told, and it is the one whose session was on the lost server.
    const told = await eventually(
      () => Promise.all(pages.map((p) => shown(p))),
      (all) => all.some((s) => s.error !== ''),
      20_000,
    );
    const lostIndex = told.findIndex((s) => s.error !== '');
    const keptIndex = 1 - lostIndex;
    expect(told[lostIndex]).toMatchObject({ state: 'idle', error: expect.stringMatching(/media server was lost/) });
    expect(told[keptIndex]).toMatchObject({ error: '', state: 'connected' });
    await keepsDecoding(pages[keptIndex]!);

    // The session on the other server stayed put: the same pipeline, on the same member.
    const after = await pipelinesPerMember();
    expect(after[0]).toEqual([]);
    expect(after[1]).toEqual(placed[1]);

    // The restarted member takes new sessions again: it is now the less loaded one.
    const third = await start();
    expect((await pipelinesPerMember()).map((p) => p.length)).toEqual([1, 1]);
    for (const page of [...pages, third]) await page.close();
    await eventually(pipelinesPerMember, (p) => p.every((ids) => ids.length === 0), 15_000);
  });

  test('a group call whose media server is lost ends for everyone in it, recorded as an error', async () => {
    const join = async (name: string): Promise<Page> => {
      const page = await browser.newPage();
      await page.goto(`${running.url}/groupcall.html`);
      await page.locator('group-call-demo >> #name').fill(name);
      await page.locator('group-call-demo >> #room').fill('fragile');
      await page.locator('group-call-demo >> #join').click();
      return page;
    };
    const pages = [await join('ann'), await join('ben')];
    // A call in progress: each decodes the other.
    for (const page of pages) {
      await eventually(
        () =>
          page.evaluate(async () => {
            const demo = document.querySelector('group-call-demo') as unknown as {
              call: { name: string; peers: Map<string, { pc: RTCPeerConnection }> };
            };
            let frames = 0;
            for (const [name, peer] of demo.call.peers) {
              if (name === demo.call.name) continue;
              (await peer.pc.getStats()).forEach((r: Record<string, unknown>) => {
                if (r.type === 'inbound-rtp' && r.kind === 'video') frames += Number(r.framesDecoded ?? 0);
              });
            }
            return frames;
          }),
        (n) => n > 0,
        20_000,
      );
    }
    const placed = await pipelinesPerMember();
    const member = placed.findIndex((ids) => ids.length === 1);
    const lostPid = engines[member]!.pid!;
    process.kill(lostPid, 'SIGKILL');

    const errorShown = (page: Page): Promise<string> =>
      page.evaluate(() => (document.querySelector('group-call-demo') as unknown as { call: { error: string } }).call.error);
    for (const page of pages) {
      expect(
        await eventually(
          () => errorShown(page),
          (e) => e !== '',
          20_000,
        ),
      ).toMatch(/media server was lost/);
    }
    type Calls = { items: { kind: string; room?: string; endReason?: string }[] };
    const calls = await eventually(
      async () => (await (await fetch(`${running.url}/api/calls`)).json()) as Calls,
      (c) => c.items.some((x) => x.room === 'fragile' && x.endReason !== undefined),
    );
    expect(calls.items.find((x) => x.room === 'fragile')).toMatchObject({ kind: 'groupcall', endReason: 'error' });
    for (const page of pages) await page.close();
  });
});
