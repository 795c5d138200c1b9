// KMS_URL naming two media servers (two embedded engines here, each reached through a link
// the test can cut): new sessions go where the media servers themselves say there is room,
// and stay; a brief drop resumes the Kurento session; a member lost (killed, or unreachable
// too long) ends only the sessions it held, and takes sessions again once back; what we left
// behind there is released.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { INSTANCE_TAG } from '../../server/kurento/pool';
import { eventually, startApp, type RunningApp } from '../helpers/app';
import { decodedFrames, demoPeer, launchChromium } from '../helpers/browser';
import { DroppableLink } from '../helpers/droppable-link';
import { call, connect, disconnect } from '../helpers/kurento';

jest.setTimeout(120_000);

type Shown = { state: string; error: string; framesDecoded: number };

async function shown(page: Page): Promise<Shown> {
  const { remote: framesDecoded = 0 } = await decodedFrames(page, demoPeer, 'hello-world-demo');
  const { state, error } = await page.evaluate(() => {
    const demo = document.querySelector('hello-world-demo') as unknown as { call: { state: string; error: string } };
    return { state: demo.call.state, error: demo.call.error };
  });
  return { state, error, framesDecoded };
}

const LOST_AFTER_SECONDS = 4;

describe('a pool of two media servers', () => {
  const engines: EngineProcess[] = [];
  const links: DroppableLink[] = [];
  let running: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    for (let i = 0; i < 2; i++) {
      engines.push(await EngineProcess.start(pino({ level: 'warn' }), { logLevel: 'warn' }));
      links.push(await DroppableLink.open(engines[i]!.url));
    }
    running = await startApp({
      KMS_URL: links.map((l) => l.url).join(','),
      KMS_POLL_SECONDS: '1',
      KMS_LOST_AFTER_SECONDS: String(LOST_AFTER_SECONDS),
      INSTANCE_ID: 'pool-test',
    });
    await eventually(
      () => running.app.media.members.map((m) => m.state),
      (states) => states.every((s) => s === 'ready'),
      15_000,
    );
    browser = await launchChromium();
  });

  // A test that failed mid-outage leaves the next one a working pool.
  afterEach(() => links.forEach((l) => l.restore()));

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    for (const l of links) await l.close();
    for (const e of engines) await e.stop();
  });

  /** Every pipeline on each media server, ours or not. */
  const pipelinesPerMember = (): Promise<string[][]> => Promise.all(running.app.media.members.map((m) => m.pipelineIds()));
  /** Our sessions' pipelines on each media server. */
  const oursPerMember = (): string[][] =>
    running.app.media.members.map((m) =>
      [...running.app.media.placements].filter((p) => p.server === m).map((p) => p.pipeline.id),
    );

  const start = async (): Promise<Page> => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/helloworld.html`);
    await page.click('#start');
    await eventually(
      () => shown(page),
      (s) => s.framesDecoded > 0,
      20_000,
      'the new session to decode',
    );
    return page;
  };

  const keepsDecoding = async (page: Page): Promise<void> => {
    const before = (await shown(page)).framesDecoded;
    await eventually(
      () => shown(page),
      (s) => s.framesDecoded > before + 10,
      10_000,
      'the session to keep decoding',
    );
  };

  const closeAll = async (pages: Page[]): Promise<void> => {
    for (const page of pages) await page.close();
    await eventually(pipelinesPerMember, (p) => p.every((ids) => ids.length === 0), 15_000, 'every pipeline released');
  };

  test('placement reads the media servers: another application’s pipelines count, and /readyz shows each member', async () => {
    // Another application holds two pipelines on the first media server.
    const other = await connect(engines[0]!.url);
    const theirs: any[] = [];
    try {
      for (let i = 0; i < 2; i++) theirs.push(await call(other, 'create', 'MediaPipeline'));
      const status = await eventually(
        () => running.app.media.status(),
        (s) => s[0]?.pipelines === 2 && s[1]?.pipelines === 0,
        10_000,
        'the readings to show the other application’s pipelines',
      );
      expect(status[0]).toMatchObject({ state: 'ready', healthy: true, sessions: 0, cpuCount: expect.any(Number) });

      const pages = [await start(), await start()];
      // Both went to the second member: it had room for two before it held as many.
      expect(oursPerMember().map((ids) => ids.length)).toEqual([0, 2]);

      const ready = (await (await fetch(`${running.url}/readyz`)).json()) as { mediaServers: Record<string, unknown>[] };
      expect(ready.mediaServers).toEqual([
        expect.objectContaining({ url: links[0]!.url, healthy: true, sessions: 0, pipelines: 2 }),
        expect.objectContaining({ url: links[1]!.url, healthy: true, sessions: 2 }),
      ]);
      for (const pipeline of theirs.splice(0)) await call(pipeline, 'release');
      await closeAll(pages);
    } finally {
      await disconnect(other);
    }
  });

  test('a brief drop of the control connection resumes the Kurento session: no call ends', async () => {
    const page = await start();
    const before = oursPerMember();
    const member = before.findIndex((ids) => ids.length === 1);
    links[member]!.cut();
    await eventually(
      () => running.app.media.members[member]!.state,
      (s) => s === 'down',
      10_000,
      'the member to be seen down',
    );
    await new Promise((r) => setTimeout(r, 1000));
    links[member]!.restore();
    await eventually(
      () => running.app.media.members[member]!.state,
      (s) => s === 'ready',
      15_000,
      'the member to reconnect',
    );
    // Past the moment a lost member would have ended it, the call still runs, on the same pipeline.
    await new Promise((r) => setTimeout(r, LOST_AFTER_SECONDS * 1000));
    expect(await shown(page)).toMatchObject({ state: 'connected', error: '' });
    await keepsDecoding(page);
    expect(oursPerMember()).toEqual(before);
    // And it is still under control: stopping it releases its pipeline there.
    await closeAll([page]);
  });

  test('a member unreachable too long is lost: only its sessions end, the rest go elsewhere, and it rejoins clean', async () => {
    const pages = [await start(), await start()];
    const placed = oursPerMember();
    expect(placed.map((ids) => ids.length)).toEqual([1, 1]);
    const [lost, kept] = [0, 1];
    links[lost]!.cut();
    // Told in words, once the member has been unreachable for KMS_LOST_AFTER_SECONDS.
    const told = await eventually(
      () => Promise.all(pages.map((p) => shown(p))),
      (all) => all.some((s) => s.error !== ''),
      20_000,
      'a page to be told its media server was lost',
    );
    const lostIndex = told.findIndex((s) => s.error !== '');
    expect(told[lostIndex]).toMatchObject({ state: 'idle', error: expect.stringMatching(/media server was lost/) });
    expect(told[1 - lostIndex]).toMatchObject({ error: '', state: 'connected' });
    await keepsDecoding(pages[1 - lostIndex]!);
    expect(oursPerMember()).toEqual([[], placed[kept]]);

    // Meanwhile new sessions go to the member still there.
    const meanwhile = await start();
    expect(oursPerMember().map((ids) => ids.length)).toEqual([0, 2]);

    // Back: the media server still held the lost session's pipeline; the sweep releases it,
    // and the member takes new sessions again.
    links[lost]!.restore();
    await eventually(
      () => running.app.media.members[lost]!.state,
      (s) => s === 'ready',
      15_000,
      'the member to come back',
    );
    await eventually(
      pipelinesPerMember,
      (p) => p[lost]!.length === 0,
      15_000,
      'the pipeline left behind on the member to be released',
    );
    const again = await start();
    expect(oursPerMember().map((ids) => ids.length)).toEqual([1, 2]);
    await closeAll([...pages, meanwhile, again]);
  });

  test('a member killed mid-call ends only its calls; it restarts and takes sessions again', async () => {
    const pages = [await start(), await start()];
    // One session on each: the second went to the member with more room.
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

    // The restarted member takes new sessions again: it is now the one with more room.
    const third = await start();
    expect((await pipelinesPerMember()).map((p) => p.length)).toEqual([1, 1]);
    await closeAll([...pages, third]);
  });

  test('a group call whose media server is lost ends for everyone in it, recorded as media-server-lost', async () => {
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
    const member = oursPerMember().findIndex((ids) => ids.length === 1);
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
    expect(calls.items.find((x) => x.room === 'fragile')).toMatchObject({ kind: 'groupcall', endReason: 'media-server-lost' });
    for (const page of pages) await page.close();
  });
});

describe('pipelines an earlier run of this application left behind', () => {
  let engine: EngineProcess;
  let other: any;

  beforeAll(async () => {
    engine = await EngineProcess.start(pino({ level: 'warn' }), { logLevel: 'warn' });
    other = await connect(engine.url);
  });

  afterAll(async () => {
    if (other) await disconnect(other);
    await engine?.stop();
  });

  test('are released at start-up: only those tagged with our instance id', async () => {
    const tagged = async (value?: string): Promise<string> => {
      const pipeline = await call<any>(other, 'create', 'MediaPipeline');
      if (value) await call(pipeline, 'addTag', INSTANCE_TAG, value);
      return pipeline.id;
    };
    // A crashed run of ours left one; another instance and another application hold the others.
    const ours = await tagged('crashed-run');
    const theirs = await tagged('another-instance');
    const untagged = await tagged();
    const manager = await call<any>(other, 'getServerManager');
    const ids = async (): Promise<string[]> => (await call<any[]>(manager, 'getPipelines')).map((p) => p.id).sort();
    expect(await ids()).toEqual([ours, theirs, untagged].sort());

    const running = await startApp({ KMS_URL: engine.url, INSTANCE_ID: 'crashed-run' });
    try {
      expect(await eventually(ids, (list) => list.length === 2, 10_000, 'our orphan to be released')).toEqual(
        [theirs, untagged].sort(),
      );
      // The pipelines it makes now carry its id, for the next run to find.
      const page = await (await launchChromium()).newPage();
      try {
        await page.goto(`${running.url}/helloworld.html`);
        await page.click('#start');
        const mine = await eventually(
          () => [...running.app.media.placements].map((p) => p.pipeline.id),
          (list) => list.length === 1,
          20_000,
          'a session of its own',
        );
        const pipeline = (await call<any[]>(manager, 'getPipelines')).find((p) => p.id === mine[0]);
        expect(await call(pipeline, 'getTags')).toEqual([expect.objectContaining({ key: INSTANCE_TAG, value: 'crashed-run' })]);
      } finally {
        await page.context().browser()?.close();
      }
    } finally {
      await running.close();
    }
  });
});
