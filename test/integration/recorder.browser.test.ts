// RecorderEndpoint in the embedded media server, driven through the unmodified kurento-client
// with a real Chromium camera: the files must be what a user's player expects (ffprobe reads
// the codecs and the duration, and a seek into the middle decodes).

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { BrowserPeer, PeerPageServer } from '../helpers/browser-peer';
import { launchChromium } from '../helpers/browser';
import { decodedBytesAfterSeek, probe } from '../helpers/ffprobe';
import { call, connect, negotiateBrowserOffer } from '../helpers/kurento';

jest.setTimeout(60_000);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('RecorderEndpoint (embedded media server, real browser)', () => {
  let engine: EngineProcess;
  let client: any;
  let browser: Browser;
  let pages: PeerPageServer;
  let mediaDir: string;
  const peers: BrowserPeer[] = [];
  const pipelines: any[] = [];

  beforeAll(async () => {
    mediaDir = mkdtempSync(join(tmpdir(), 'recorder-test-'));
    engine = await EngineProcess.start(pino({ level: 'warn' }), { logLevel: 'warn', env: { ENGINE_MEDIA_DIR: mediaDir } });
    client = await connect(engine.url);
    browser = await launchChromium();
    pages = await PeerPageServer.start();
  });

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close().catch(() => undefined)));
    await Promise.all(pipelines.splice(0).map((p) => call(p, 'release').catch(() => undefined)));
    const manager = await call<any>(client, 'getServerManager');
    expect(await call<unknown[]>(manager, 'getPipelines')).toHaveLength(0);
  });

  afterAll(async () => {
    client?.close();
    await browser?.close();
    await pages?.close();
    await engine?.stop();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  /** A camera in the browser, sending to a WebRtcEndpoint connected to a recorder. */
  async function cameraInto(profile: string, file: string): Promise<{ recorder: any; events: string[] }> {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    pipelines.push(pipeline);
    const webRtc = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const uri = pathToFileURL(join(mediaDir, file)).href;
    const recorder = await call<any>(pipeline, 'create', 'RecorderEndpoint', { uri, mediaProfile: profile });
    const events: string[] = [];
    for (const e of ['Recording', 'Paused', 'Stopped']) recorder.on(e, () => events.push(e));
    await call(webRtc, 'connect', recorder);
    const peer = await BrowserPeer.open(browser, pages, { send: true });
    peers.push(peer);
    await negotiateBrowserOffer(peer, webRtc);
    return { recorder, events };
  }

  const until = async (events: string[], name: string): Promise<void> => {
    for (let i = 0; i < 100 && !events.includes(name); i++) await sleep(100);
    expect(events).toContain(name);
  };

  /** record() before media flows (as applications do), then 5 s once Recording says it began. */
  async function recordFiveSeconds(profile: string, file: string): Promise<string> {
    const { recorder, events } = await cameraInto(profile, file);
    await call(recorder, 'record');
    await until(events, 'Recording');
    await sleep(5000);
    await call(recorder, 'stopAndWait');
    expect(events).toEqual(['Recording', 'Stopped']);
    return join(mediaDir, file);
  }

  it('records WEBM: VP8 and Opus, 5 s long, and seeking into the middle decodes', async () => {
    const path = await recordFiveSeconds('WEBM', 'both.webm');
    const info = await probe(path);
    expect(info.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(['audio:opus', 'video:vp8']);
    expect(info.durationSeconds).toBeGreaterThan(4.3);
    expect(info.durationSeconds).toBeLessThan(5.7);
    expect(info.streams.find((s) => s.type === 'video')?.width).toBe(640);
    expect(await decodedBytesAfterSeek(path, 2.5, 'video')).toBeGreaterThan(640 * 480 * 5);
    expect(await decodedBytesAfterSeek(path, 2.5, 'audio')).toBeGreaterThan(10_000);
  });

  it('records WEBM_VIDEO_ONLY with one VP8 stream', async () => {
    const path = await recordFiveSeconds('WEBM_VIDEO_ONLY', 'video.webm');
    const info = await probe(path);
    expect(info.streams.map((s) => s.codec)).toEqual(['vp8']);
    expect(Math.abs(info.durationSeconds - 5)).toBeLessThan(0.7);
    expect(await decodedBytesAfterSeek(path, 2.5, 'video')).toBeGreaterThan(640 * 480 * 5);
  });

  it('records WEBM_AUDIO_ONLY with one Opus stream', async () => {
    const path = await recordFiveSeconds('WEBM_AUDIO_ONLY', 'audio.webm');
    const info = await probe(path);
    expect(info.streams.map((s) => s.codec)).toEqual(['opus']);
    expect(Math.abs(info.durationSeconds - 5)).toBeLessThan(0.7);
    expect(await decodedBytesAfterSeek(path, 2.5, 'audio')).toBeGreaterThan(10_000);
  });

  it('leaves a pause out of the file: 2 s, pause 2 s, 2 s makes 4 s', async () => {
    const { recorder, events } = await cameraInto('WEBM', 'paused.webm');
    await call(recorder, 'record');
    await until(events, 'Recording');
    await sleep(2000);
    await call(recorder, 'pause');
    await sleep(2000);
    await call(recorder, 'record');
    await sleep(2000);
    await call(recorder, 'stopAndWait');
    expect(events).toEqual(['Recording', 'Paused', 'Stopped']);
    const info = await probe(join(mediaDir, 'paused.webm'));
    expect(Math.abs(info.durationSeconds - 4)).toBeLessThan(0.7);
    expect(await decodedBytesAfterSeek(join(mediaDir, 'paused.webm'), 3, 'video')).toBeGreaterThan(640 * 480 * 5);
  });

  it('closes the file cleanly when the pipeline is released mid-recording', async () => {
    const { recorder, events } = await cameraInto('WEBM', 'released.webm');
    await call(recorder, 'record');
    await until(events, 'Recording');
    await sleep(2000);
    await call(pipelines.pop(), 'release');
    const info = await probe(join(mediaDir, 'released.webm'));
    expect(info.durationSeconds).toBeGreaterThan(1.3);
    expect(info.durationSeconds).toBeLessThan(2.7);
  });

  it('refuses a file URI outside the media directory, and an unwritable one, in words', async () => {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    pipelines.push(pipeline);
    await expect(call(pipeline, 'create', 'RecorderEndpoint', { uri: 'file:///etc/evil.webm' })).rejects.toThrow(
      /outside the media directory/,
    );
    await expect(call(pipeline, 'create', 'RecorderEndpoint', { uri: 'rtsp://example/x' })).rejects.toThrow(/unsupported scheme/);
    // A directory where the file's parent should be: nothing can be written there.
    writeFileSync(join(mediaDir, 'not-a-dir'), 'x');
    const recorder = await call<any>(pipeline, 'create', 'RecorderEndpoint', {
      uri: pathToFileURL(join(mediaDir, 'not-a-dir', 'x.webm')).href,
    });
    await expect(call(recorder, 'record')).rejects.toThrow(/Cannot record to .*not-a-dir/);
  });
});
