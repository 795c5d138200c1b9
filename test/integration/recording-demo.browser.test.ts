// The recording demo, the repository's REST API and the player demo, as a user meets them:
// Chromium records its fake camera on /recording.html, the file appears in /api/recordings
// with a thumbnail, streams with range requests, plays back through the media server on
// both pages, and is deleted (behind API_TOKEN).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { eventually, pipelinesOnMediaServer, startApp, type RunningApp } from '../helpers/app';
import { decodedFrames, demoPeer, launchChromium } from '../helpers/browser';
import { probe } from '../helpers/ffprobe';

const TOKEN = 'test-token-123';

/** Text of an element inside the demo component's shadow root ('' when absent). */
const shadowText = (page: Page, tag: string, selector: string): Promise<string> =>
  page.evaluate(([tag, selector]) => document.querySelector(tag)?.shadowRoot?.querySelector(selector)?.textContent ?? '', [
    tag,
    selector,
  ] as const);

describe('recording demo, recordings API and player demo in Chromium', () => {
  let running: RunningApp;
  let browser: Browser;

  beforeAll(async () => {
    running = await startApp({ API_TOKEN: TOKEN });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  test('record 3 s, find it in the API, stream a range, play it back, delete it', async () => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/recording.html`);
    await page.click('#record');
    const state = (): Promise<string> =>
      page.evaluate(() => (document.querySelector('recording-demo') as unknown as { call: { state: string } }).call.state);
    expect(await eventually(state, (s) => s === 'recording', 20_000)).toBe('recording');
    await page.waitForTimeout(3000);
    await page.click('#stop');
    const saved = await eventually(
      () => shadowText(page, 'recording-demo', '#saved'),
      (t) => t.includes('Saved'),
      15_000,
    );
    const id = /([0-9a-f-]{36})/.exec(saved)?.[1] ?? '';
    expect(id).not.toBe('');
    expect(await pipelinesOnMediaServer(running.app)).toHaveLength(0);

    // The API lists it with what the recordings page shows.
    const list = (await (await fetch(`${running.url}/api/recordings`)).json()) as {
      total: number;
      items: Record<string, unknown>[];
    };
    expect(list.total).toBe(1);
    const item = list.items[0]!;
    expect(item).toMatchObject({ id, profile: 'WEBM', demo: 'recording', missing: false, thumbnail: `${id}.jpg` });
    expect(Math.abs(Number(item.durationMs) - 3000)).toBeLessThan(700);
    const thumb = await fetch(`${running.url}/api/recordings/${id}/thumbnail`);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    const path = join(running.app.recordings.dir, `${id}.webm`);
    expect((await probe(path)).streams.map((s) => s.codec).sort()).toEqual(['opus', 'vp8']);

    // A range request gets exactly those bytes.
    const ranged = await fetch(`${running.url}/api/recordings/${id}/media`, { headers: { range: 'bytes=100-1099' } });
    expect(ranged.status).toBe(206);
    expect(ranged.headers.get('content-type')).toBe('video/webm');
    expect(ranged.headers.get('content-range')).toMatch(/^bytes 100-1099\/\d+$/);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(readFileSync(path).subarray(100, 1100))).toBe(true);

    // Play back on the recording page: frames decode, then playEnd brings it back to idle.
    await page.click('#play');
    const frames = await eventually(
      async () => (await decodedFrames(page, demoPeer, 'recording-demo')).remote ?? 0,
      (n) => n > 10,
      15_000,
    );
    expect(frames).toBeGreaterThan(10);
    expect(await eventually(state, (s) => s === 'idle', 10_000)).toBe('idle');
    expect(
      await eventually(
        () => pipelinesOnMediaServer(running.app),
        (p) => p.length === 0,
      ),
    ).toHaveLength(0);

    // The recordings page lists it with its thumbnail, and plays the file in the page.
    const listing = await browser.newPage();
    await listing.goto(`${running.url}/recordings.html`);
    const row = listing.locator(`recordings-page >> tr[data-id="${id}"]`);
    await row.locator('img').waitFor();
    expect(await row.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
    expect(await row.textContent()).toMatch(/3\.\d s · \d+ kB · WEBM/);
    await row.locator('button', { hasText: 'Play here' }).click();
    const playedInPage = await eventually(
      () => listing.locator('recordings-page >> #playback').evaluate((v: HTMLVideoElement) => v.currentTime),
      (t) => t > 0.5,
    );
    expect(playedInPage).toBeGreaterThan(0.5);
    await listing.close();

    // The player demo plays it through the media server, with its video info.
    const player = await browser.newPage();
    await player.goto(`${running.url}/player.html?url=recording:${id}`);
    await player.click('#play');
    const played = await eventually(
      async () => (await decodedFrames(player, demoPeer, 'player-demo')).remote ?? 0,
      (n) => n > 10,
      15_000,
    );
    expect(played).toBeGreaterThan(10);
    expect(
      await eventually(
        () => shadowText(player, 'player-demo', '#position'),
        (t) => / s \/ 3\.\d s/.test(t),
      ),
    ).toMatch(/ s \/ [23]\.\d s/);
    await player.click('#stop');
    await player.close();
    expect(
      await eventually(
        () => pipelinesOnMediaServer(running.app),
        (p) => p.length === 0,
      ),
    ).toHaveLength(0);

    // Delete needs the token, then removes the file and the row.
    expect((await fetch(`${running.url}/api/recordings/${id}`, { method: 'DELETE' })).status).toBe(401);
    const deleted = await fetch(`${running.url}/api/recordings/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(deleted.status).toBe(204);
    expect((await fetch(`${running.url}/api/recordings/${id}`)).status).toBe(404);
    expect(() => readFileSync(path)).toThrow();
    await page.close();
  });

  test('the player demo refuses a path on the server and says why an unreachable URL fails', async () => {
    const page = await browser.newPage();
    await page.goto(`${running.url}/player.html?url=${encodeURIComponent('file:///etc/passwd')}`);
    await page.click('#play');
    const error = (): Promise<string> =>
      page.evaluate(() => (document.querySelector('player-demo') as unknown as { call: { error: string } }).call.error);
    expect(await eventually(error, (e) => e !== '')).toMatch(/http\(s\) URL or pick a recording/);
    await page.fill('#url', 'http://127.0.0.1:9/missing.webm');
    await page.click('#play');
    expect(await eventually(error, (e) => /Cannot play/.test(e), 15_000)).toMatch(
      /Cannot play http:\/\/127\.0\.0\.1:9\/missing\.webm/,
    );
    expect(
      await eventually(
        () => pipelinesOnMediaServer(running.app),
        (p) => p.length === 0,
      ),
    ).toHaveLength(0);
    await page.close();
  });
});
