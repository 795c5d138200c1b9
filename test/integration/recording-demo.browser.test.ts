// The recording demo, the repository's REST API and the player demo, as a user meets them:
// Chromium records its fake camera on /recording.html, the file appears in /api/recordings
// with a thumbnail, streams with range requests, plays back through the media server on
// both pages, and is deleted. The server has an API_TOKEN: the browser logs in once at /login,
// the REST calls carry the token, and reading needs it as much as deleting.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually, noPipelinesLeft, pipelinesOnMediaServer, startApp, type RunningApp } from '../helpers/app';
import { decodedFrames, demoPeer, launchChromium, recSeconds } from '../helpers/browser';
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
  let context: BrowserContext;
  /** The REST API as a client that holds the token calls it. */
  const authed = (url: string, init: RequestInit = {}): Promise<Response> =>
    fetch(url, { ...init, headers: { authorization: `Bearer ${TOKEN}`, ...(init.headers as Record<string, string>) } });

  beforeAll(async () => {
    running = await startApp({ API_TOKEN: TOKEN });
    browser = await launchChromium();
    context = await browser.newContext();
    const login = await context.newPage();
    await login.goto(`${running.url}/recordings.html`);
    expect(new URL(login.url()).pathname).toBe('/login');
    await login.fill('input[name=token]', TOKEN);
    await login.click('button[type=submit]');
    await login.waitForURL(`${running.url}/recordings.html`);
    await login.close();
  });

  afterAll(async () => {
    await browser?.close();
    await running?.close();
  });

  test('record 3 s, find it in the API, stream a range, play it back, delete it', async () => {
    const page = await context.newPage();
    await page.goto(`${running.url}/recording.html`);
    await page.click('#record');
    const state = (): Promise<string> =>
      page.evaluate(() => (document.querySelector('recording-demo') as unknown as { call: { state: string } }).call.state);
    expect(await eventually(state, (s) => s === 'recording', 20_000)).toBe('recording');
    const began = Date.now();
    await page.waitForTimeout(3000);
    const recordedMs = Date.now() - began;
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
    const list = (await (await authed(`${running.url}/api/recordings`)).json()) as {
      total: number;
      items: Record<string, unknown>[];
    };
    expect(list.total).toBe(1);
    const item = list.items[0]!;
    expect(item).toMatchObject({ id, profile: 'WEBM', demo: 'recording', missing: false, thumbnail: `${id}.jpg` });
    // As long as the page was recording: a little more for the messages in flight, never less.
    expect(Number(item.durationMs)).toBeGreaterThan(recordedMs - 400);
    expect(Number(item.durationMs)).toBeLessThan(recordedMs + 1500);
    const shownDuration = `${(Number(item.durationMs) / 1000).toFixed(1)} s`;
    const thumb = await authed(`${running.url}/api/recordings/${id}/thumbnail`);
    expect(thumb.headers.get('content-type')).toBe('image/jpeg');
    const path = join(running.app.recordings.dir, `${id}.webm`);
    expect((await probe(path)).streams.map((s) => s.codec).sort()).toEqual(['opus', 'vp8']);

    // A range request gets exactly those bytes.
    const ranged = await authed(`${running.url}/api/recordings/${id}/media`, { headers: { range: 'bytes=100-1099' } });
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
    const listing = await context.newPage();
    await listing.goto(`${running.url}/recordings.html`);
    const row = listing.locator(`recordings-page >> .file[data-id="${id}"]`);
    await row.locator('img').waitFor();
    expect(await row.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(320);
    expect(await row.textContent()).toMatch(new RegExp(`${shownDuration.replace('.', '\\.')} · \\d+ kB · WEBM`));
    await row.locator('button', { hasText: 'Play here' }).click();
    const playedInPage = await eventually(
      () => listing.locator('recordings-page >> #playback').evaluate((v: HTMLVideoElement) => v.currentTime),
      (t) => t > 0.5,
    );
    expect(playedInPage).toBeGreaterThan(0.5);
    await listing.close();

    // The player demo plays it through the media server, with its video info.
    // The player offers it to pick, beside the URL box; picking fills the box.
    const player = await context.newPage();
    await player.goto(`${running.url}/player.html`);
    const picker = player.locator('player-demo #recording');
    await picker.waitFor();
    await picker.selectOption(`recording:${id}`);
    expect(await player.locator('player-demo #url').inputValue()).toBe(`recording:${id}`);
    await player.click('#play');
    const played = await eventually(
      async () => (await decodedFrames(player, demoPeer, 'player-demo')).remote ?? 0,
      (n) => n > 10,
      15_000,
    );
    expect(played).toBeGreaterThan(10);
    // The player shows the media server's reading of the duration: the repository's, give or
    // take the rounding of the last frame.
    const position = await eventually(
      () => shadowText(player, 'player-demo', '#position'),
      (t) => / s \/ [\d.]+ s$/.test(t),
    );
    const playerDuration = Number(/\/ ([\d.]+) s$/.exec(position)![1]);
    expect(Math.abs(playerDuration * 1000 - Number(item.durationMs))).toBeLessThan(200);
    await player.click('#stop');
    await player.close();
    await noPipelinesLeft(running.app);

    // Delete needs the token, then removes the file and the row.
    expect((await fetch(`${running.url}/api/recordings/${id}`, { method: 'DELETE' })).status).toBe(401);
    expect((await fetch(`${running.url}/api/recordings/${id}`)).status).toBe(401);
    expect((await fetch(`${running.url}/api/recordings/${id}/media`)).status).toBe(401);
    const deleted = await authed(`${running.url}/api/recordings/${id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(deleted.status).toBe(204);
    expect((await authed(`${running.url}/api/recordings/${id}`)).status).toBe(404);
    expect(() => readFileSync(path)).toThrow();
    await page.close();
  });

  test('audio only, video only and a pause on the recording page; pause and seek on the player page', async () => {
    const page = await context.newPage();
    await page.goto(`${running.url}/recording.html`);
    const demo = (): Promise<{ state: string; recordingId?: string }> =>
      page.evaluate(() => {
        const { state, recordingId } = (
          document.querySelector('recording-demo') as unknown as { call: { state: string; recordingId?: string } }
        ).call;
        return { state, recordingId };
      });
    const recordingFile = (id: string): string => join(running.app.recordings.dir, `${id}.webm`);

    /** Records in `mode`, optionally pausing; returns the new recording's id and recorded time. */
    const record = async (mode: string, pauseMs = 0): Promise<{ id: string; recordedMs: number }> => {
      const previous = (await demo()).recordingId;
      await page.locator('recording-demo >> #mode').selectOption(mode);
      await page.click('#record');
      await eventually(demo, (d) => d.state === 'recording', 20_000);
      let began = Date.now();
      let recordedMs = 0;
      await page.waitForTimeout(2000);
      if (pauseMs > 0) {
        recordedMs += Date.now() - began;
        await page.click('#pause');
        await eventually(demo, (d) => d.state === 'paused');
        // REC holds its clock while paused.
        const rec = () => page.locator('recording-demo stage-rec [role=timer]').textContent();
        const held = await rec();
        expect(held).toMatch(/^REC \d\d:\d\d \(paused\)$/);
        expect(recSeconds(held)).toBeGreaterThanOrEqual(1);
        await page.waitForTimeout(pauseMs);
        expect(await rec()).toBe(held);
        began = Date.now();
        await page.click('#resume');
        await eventually(demo, (d) => d.state === 'recording');
        await page.waitForTimeout(2000);
      }
      recordedMs += Date.now() - began;
      await page.click('#stop');
      const done = await eventually(demo, (d) => d.state === 'idle' && !!d.recordingId && d.recordingId !== previous, 15_000);
      return { id: done.recordingId!, recordedMs };
    };
    const stored = async (id: string): Promise<{ profile: string; durationMs: number }> =>
      (await (await authed(`${running.url}/api/recordings/${id}`)).json()) as never;

    const videoOnly = await record('video-only');
    expect((await probe(recordingFile(videoOnly.id))).streams.map((s) => s.codec)).toEqual(['vp8']);
    expect((await stored(videoOnly.id)).profile).toBe('WEBM_VIDEO_ONLY');

    const audioOnly = await record('audio-only');
    expect((await probe(recordingFile(audioOnly.id))).streams.map((s) => s.codec)).toEqual(['opus']);
    expect((await stored(audioOnly.id)).profile).toBe('WEBM_AUDIO_ONLY');

    // A 3 s pause between two stretches of 2 s: the file holds the two stretches only.
    const paused = await record('both', 3000);
    const { durationMs } = await stored(paused.id);
    expect(durationMs).toBeGreaterThan(paused.recordedMs - 400);
    expect(durationMs).toBeLessThan(paused.recordedMs + 1500);
    await page.close();

    // The player: pause holds the position, resume moves it on, and a seek back goes back.
    const player = await context.newPage();
    await player.goto(`${running.url}/player.html?url=recording:${paused.id}`);
    await player.click('#play');
    const seconds = async (): Promise<number> =>
      Number(/^([\d.]+) s/.exec(await shadowText(player, 'player-demo', '#position'))?.[1] ?? -1);
    const playerState = (): Promise<string> =>
      player.evaluate(() => (document.querySelector('player-demo') as unknown as { call: { state: string } }).call.state);
    await eventually(seconds, (t) => t >= 1.5, 15_000, 'the position to reach 1.5 s');
    await player.click('#pause');
    await eventually(playerState, (s) => s === 'paused');
    const held = await seconds();
    await player.waitForTimeout(1000);
    expect(Math.abs((await seconds()) - held)).toBeLessThanOrEqual(0.1);
    await player.click('#resume');
    await eventually(seconds, (t) => t >= held + 0.5, 10_000, 'the position to move on after resume');
    const before = await seconds();
    await player.locator('player-demo >> #seek').evaluate((input: HTMLInputElement) => {
      input.value = '200';
      input.dispatchEvent(new Event('change'));
    });
    await eventually(seconds, (t) => t < before - 0.5 && t >= 0.2, 10_000, 'the position to go back to 0.2 s');
    await player.click('#stop');
    await player.close();
    await noPipelinesLeft(running.app);

    // Download as a file; deleting with a wrong token is refused, and nothing is deleted.
    const download = await authed(`${running.url}/api/recordings/${videoOnly.id}/media?download=true`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="${videoOnly.id}.webm"`);
    expect(Buffer.from(await download.arrayBuffer()).equals(readFileSync(recordingFile(videoOnly.id)))).toBe(true);
    const wrong = await fetch(`${running.url}/api/recordings/${videoOnly.id}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer not-the-token' },
    });
    expect(wrong.status).toBe(401);
    expect((await authed(`${running.url}/api/recordings/${videoOnly.id}`)).status).toBe(200);
  }, 120_000);

  test('the player demo refuses a path on the server and says why an unreachable URL fails', async () => {
    const page = await context.newPage();
    await page.goto(`${running.url}/player.html?url=${encodeURIComponent('file:///etc/passwd')}`);
    await page.click('#play');
    const error = (): Promise<string> =>
      page.evaluate(() => (document.querySelector('player-demo') as unknown as { call: { error: string } }).call.error);
    expect(await eventually(error, (e) => e !== '')).toMatch(/http\(s\) URL or pick a recording/);
    await page.fill('#url', 'http://127.0.0.1:9/missing.webm');
    await page.click('#play');
    // A loopback address is refused by the URL policy, in the same words as any failure.
    expect(await eventually(error, (e) => /could not read the URL/.test(e), 15_000)).toMatch(
      /The video URL is not one the player accepts: could not read the URL/,
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
