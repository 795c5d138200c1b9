// The demos' visible effects on a real Kurento Media Server 7, as the compose stack runs it:
// the KMS image that docker/kms builds (the official one, made sure to hold kms-chroma),
// with the app's media directory mounted at /media as KMS_MEDIA_DIR, as in
// docker/compose.yml. The same pixel checks as on the embedded engine: the hat above the
// face, the chosen background behind the figure, each effect; and a recording that ffprobe
// reads and that plays back. Runs outside the loopback-only namespace (scripts/test.sh), as
// the browser must reach the container; without Docker it skips and says why.

import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { StartedTestContainer } from 'testcontainers';
import { projectRoot } from '../../server/util/paths';
import { eventually, noPipelinesLeft, startApp, type RunningApp } from '../helpers/app';
import { decodedFrames, demoPeer, launchChromium } from '../helpers/browser';
import { describeWithDocker } from '../helpers/docker';
import { fakeCameraArgs, type FakeCamera } from '../helpers/fake-camera';
import { CHROMA_CAMERA, FACE_CAMERA } from '../helpers/filter-cameras';
import { expectChromaBackgrounds, expectEffects, expectTopHatAboveFace } from '../helpers/filter-demo-checks';
import { probe } from '../helpers/ffprobe';

jest.setTimeout(120_000);

/** Where KMS sees the app's media directory, as in docker/compose.yml. */
const KMS_MEDIA_DIR = '/media';

describeWithDocker('the demos on real KMS 7 with kms-chroma (testcontainers, docker/kms)', () => {
  let container: StartedTestContainer | undefined;
  let mediaDir: string;
  let running: RunningApp;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    mediaDir = mkdtempSync(join(tmpdir(), 'stage-kms-media-'));
    // KMS writes recordings as its own user.
    chmodSync(mediaDir, 0o777);
    const { GenericContainer, Wait } = await import('testcontainers');
    const image = await GenericContainer.fromDockerfile(join(projectRoot, 'docker', 'kms')).build('kurento-stage/kms:test', {
      deleteOnExit: false,
    });
    container = await image
      .withExposedPorts(8888)
      .withBindMounts([{ source: mediaDir, target: KMS_MEDIA_DIR }])
      .withWaitStrategy(Wait.forListeningPorts())
      .withStartupTimeout(120_000)
      .start();
    running = await startApp({
      KMS_URL: `ws://${container.getHost()}:${container.getMappedPort(8888)}/kurento`,
      MEDIA_DIR: mediaDir,
      KMS_MEDIA_DIR,
    });
    await eventually(
      () => running.app.media.ready,
      (ready) => ready,
      30_000,
      'the app connected to KMS',
    );
  }, 600_000);

  afterEach(async () => {
    for (const b of browsers.splice(0)) await b.close();
    await noPipelinesLeft(running.app);
  });

  afterAll(async () => {
    await running?.close();
    await container?.stop();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  async function openDemo(linkText: string, camera?: FakeCamera): Promise<Page> {
    const browser = await launchChromium(camera ? fakeCameraArgs(camera) : []);
    browsers.push(browser);
    const page = await browser.newPage();
    await page.goto(running.url);
    await page.click(`text=${linkText}`);
    await page.click('#start');
    return page;
  }

  test('the index offers every demo: this KMS has the chroma module', async () => {
    const { demos } = (await (await fetch(`${running.url}/api/demos`)).json()) as {
      demos: { name: string; unavailable?: string }[];
    };
    expect(demos.map((d) => d.name)).toContain('chroma');
    expect(demos.filter((d) => d.unavailable)).toEqual([]);
  });

  test('magic mirror: KMS draws the top hat above the face', async () => {
    // KMS's own face detector: its box may sit a few pixels off the engine's.
    await expectTopHatAboveFace(await openDemo('Magic mirror', FACE_CAMERA), 30);
  });

  test('chroma: calibrated on the green, KMS shows the chosen background behind the figure', async () => {
    await expectChromaBackgrounds(await openDemo('Chroma key', CHROMA_CAMERA), 'stretch');
  });

  test('effects: KMS turns the picture grey, then mirrors it, then leaves it be', async () => {
    await expectEffects(await openDemo('Effects', FACE_CAMERA));
  });

  test('recording: KMS writes a WebM that ffprobe reads, and it plays back in the page', async () => {
    const browser = await launchChromium();
    browsers.push(browser);
    const page = await browser.newPage();
    await page.goto(`${running.url}/recording.html`);
    await page.click('#record');
    const state = (): Promise<string> =>
      page.evaluate(() => (document.querySelector('recording-demo') as unknown as { call: { state: string } }).call.state);
    await eventually(state, (s) => s === 'recording', 20_000, 'recording');
    await page.waitForTimeout(3000);
    await page.click('#stop');
    await eventually(
      () => page.locator('recording-demo >> #saved').textContent(),
      (t) => t?.includes('Saved') ?? false,
      20_000,
      'the recording saved',
    );
    const list = (await (await fetch(`${running.url}/api/recordings`)).json()) as { items: { id: string; durationMs: number }[] };
    expect(list.items).toHaveLength(1);
    const { id, durationMs } = list.items[0]!;
    expect(durationMs).toBeGreaterThan(2500);
    const probed = await probe(join(running.app.recordings.dir, `${id}.webm`));
    expect(probed.streams.map((s) => s.codec).sort()).toEqual(['opus', 'vp8']);

    await page.click('#play');
    await eventually(
      async () => (await decodedFrames(page, demoPeer, 'recording-demo')).remote ?? 0,
      (n) => n > 10,
      20_000,
      'the recording playing back',
    );
  });
});
