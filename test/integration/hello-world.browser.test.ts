// hello-world in a real browser: Chromium with a fake camera sends its video through the
// application server and the embedded media server, and gets it back.

import type { Browser, Page } from 'playwright-core';
import { eventually, pipelinesOnMediaServer, startApp, type RunningApp } from '../helpers/app';
import { cameraClosed, decodedFrames, demoPeer, launchChromium, slowCamera } from '../helpers/browser';

/** Reads the remote <video> and the inbound video stats from inside the page. */
async function remoteVideo(page: Page): Promise<{ width: number; framesDecoded: number }> {
  const { remote: framesDecoded = 0 } = await decodedFrames(page, demoPeer, 'hello-world-demo');
  const width = await page.evaluate(() => {
    const demo = document.querySelector('hello-world-demo') as HTMLElement & { call: { peer?: { pc: RTCPeerConnection } } };
    const tile = demo.shadowRoot!.querySelector('stage-video-tile[video-id=remote]')!;
    const video = tile.shadowRoot!.querySelector('video')!;
    return video.videoWidth;
  });
  return { width, framesDecoded };
}

describe('hello-world in Chromium', () => {
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

  test('the camera comes back through the media server, and Stop leaves no pipeline', async () => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/helloworld.html`);
    await page.click('#start');

    const first = await eventually(
      () => remoteVideo(page),
      (v) => v.width > 0 && v.framesDecoded > 0,
      20_000,
    );
    expect(first.width).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1000));
    const later = await remoteVideo(page);
    expect(later.framesDecoded).toBeGreaterThan(first.framesDecoded);
    // The remote tile overlays the stream's live stats.
    const overlayText = (): Promise<string> =>
      page.evaluate(() => {
        const demo = document.querySelector('hello-world-demo')!;
        const tile = demo.shadowRoot!.querySelector('stage-video-tile[video-id=remote]')!;
        return tile.shadowRoot!.querySelector('.stats')?.textContent ?? '';
      });
    expect(await eventually(overlayText, (t) => /640×480/.test(t))).toMatch(/(k|M)bps · 640×480 · [\d.]+% loss/);
    expect(await pipelinesOnMediaServer(running.app)).toHaveLength(1);

    await page.click('#stop');
    // Stopped: no numbers over the tile that now says "no video", none in the panel.
    const panelBitrate = (): Promise<string> =>
      page.evaluate(
        () =>
          document
            .querySelector('hello-world-demo')!
            .shadowRoot!.querySelector('stage-stats')!
            .shadowRoot!.querySelector('#bitrate-in')!.textContent ?? '',
      );
    expect(await eventually(overlayText, (t) => t === '')).toBe('');
    expect(await eventually(panelBitrate, (t) => t === '–')).toBe('–');
    const left = await eventually(
      () => pipelinesOnMediaServer(running.app),
      (p) => p.length === 0,
    );
    expect(left).toEqual([]);
    await page.close();
  });

  test('a browser that closes mid-call has its pipeline released', async () => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/helloworld.html`);
    await page.click('#start');
    await eventually(
      () => remoteVideo(page),
      (v) => v.width > 0,
      20_000,
    );
    expect(await pipelinesOnMediaServer(running.app)).toHaveLength(1);

    await page.close();
    const left = await eventually(
      () => pipelinesOnMediaServer(running.app),
      (p) => p.length === 0,
    );
    expect(left).toEqual([]);
    expect(running.app.sessions.size).toBe(0);
  });

  test('Stop while the browser is still opening the camera closes the camera, and says nothing went wrong', async () => {
    const page = await browser.newPage();
    await slowCamera(page, 800);
    await page.goto(`${running.url}/helloworld.html`);
    await page.click('#start');
    await page.click('#stop');
    // The camera opened after Stop: the page closes it at once.
    const states = await cameraClosed(page);
    expect(states).toEqual(['ended', 'ended']);
    const call = await page.evaluate(() => {
      const demo = document.querySelector('hello-world-demo') as HTMLElement & { call: { state: string; error: string } };
      return { state: demo.call.state, error: demo.call.error };
    });
    expect(call).toEqual({ state: 'idle', error: '' });
    expect(await pipelinesOnMediaServer(running.app)).toEqual([]);
    await page.close();
  });
});
