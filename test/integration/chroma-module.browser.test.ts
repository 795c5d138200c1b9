// A media server without the kms-chroma module (an embedded engine started without it, as a
// KMS image may be): the index says so on the chroma demo's card before anyone tries, and a
// click that would calibrate a ChromaFilter tells the page in words, not an obscure failure.

import pino from 'pino';
import type { Browser } from 'playwright-core';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually, pipelinesOnMediaServer, startApp, type RunningApp } from '../helpers/app';
import { decodedFrames, demoPeer, launchChromium } from '../helpers/browser';

jest.setTimeout(90_000);

describe('a media server without kms-chroma', () => {
  let engine: EngineProcess;
  let running: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    engine = await EngineProcess.start(pino({ level: 'warn' }), { logLevel: 'warn', env: { ENGINE_MODULES: '' } });
    running = await startApp({ KMS_URL: engine.url });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
    await engine?.stop();
  });

  test('the chroma card says what is missing, and calibrating says it in words', async () => {
    type Demos = { demos: { name: string; unavailable?: string }[] };
    const demos = await eventually(
      async () => ((await (await fetch(`${running.url}/api/demos`)).json()) as Demos).demos,
      (list) => list.some((d) => d.unavailable),
      10_000,
      'the modules to be read',
    );
    // Only the chroma demo needs the module.
    expect(demos.filter((d) => d.unavailable)).toEqual([
      { name: 'chroma', page: '/chroma.html', title: 'Chroma key', summary: expect.any(String), unavailable: expect.any(String) },
    ]);

    const page = await browser.newPage();
    await page.goto(running.url);
    await expect(page.locator('demo-index >> li[data-demo=chroma] .unavailable').textContent()).resolves.toBe(
      'The media server lacks the kms-chroma module this demo needs',
    );
    expect(await page.locator('demo-index >> .unavailable').count()).toBe(1);

    // The page starts (the video passes unfiltered until a click), then the click fails in words.
    await page.goto(`${running.url}/chroma.html`);
    await page.click('#start');
    await eventually(
      async () => (await decodedFrames(page, demoPeer, 'chroma-demo')).remote ?? 0,
      (n) => n > 0,
      20_000,
      'the unfiltered video',
    );
    const video = page.locator('chroma-demo >> stage-video-tile[video-id=local] >> video');
    await video.click({ position: { x: 10, y: 10 } });
    const shown = await eventually(
      () =>
        page.evaluate(
          () => (document.querySelector('chroma-demo') as unknown as { call: { state: string; error: string } }).call,
        ),
      (c) => c.error !== '',
      10_000,
      'the page to say why',
    );
    expect(shown.error).toMatch(/^The media server lacks the module this needs: .*ChromaFilter/);
    await page.close();
    await eventually(
      () => pipelinesOnMediaServer(running.app),
      (p) => p.length === 0,
      10_000,
      'the session’s pipeline released',
    );
  });
});
