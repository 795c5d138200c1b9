// RecorderEndpoint and PlayerEndpoint in the embedded media server, driven through the
// unmodified kurento-client with real Chromium peers: the files must be what a user's player
// expects (ffprobe reads the codecs and the duration, and a seek into the middle decodes), and
// a recording played back must reach a browser and end on time.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { execFileSync } from 'node:child_process';
import { createReadStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { BrowserPeer, PeerPageServer } from '../helpers/browser-peer';
import { launchChromium } from '../helpers/browser';
import { decodedBytesAfterSeek, probe, streamSpans } from '../helpers/ffprobe';
import { helperProcesses } from '../helpers/gstreamer';
import { call, connect, negotiateBrowserOffer, negotiateServerOffer } from '../helpers/kurento';

jest.setTimeout(60_000);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('RecorderEndpoint and PlayerEndpoint (embedded media server, real browser)', () => {
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
    expect(helperProcesses()).toBe(0);
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

  /** A player of `uri` sending to a receive-only browser; resolves once play() answered. */
  async function playInto(uri: string): Promise<{ player: any; peer: BrowserPeer; events: { name: string; at: number }[] }> {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    pipelines.push(pipeline);
    const player = await call<any>(pipeline, 'create', 'PlayerEndpoint', { uri });
    const webRtc = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const events: { name: string; at: number }[] = [];
    for (const e of ['EndOfStream', 'Error']) player.on(e, () => events.push({ name: e, at: Date.now() }));
    await call(player, 'connect', webRtc);
    const peer = await BrowserPeer.open(browser, pages, { send: false });
    peers.push(peer);
    await negotiateServerOffer(peer, webRtc);
    return { player, peer, events };
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
    // Both streams start together and end together: captured at the same moments, they
    // carry the same times (a drift or an offset between the two clocks shows here).
    const spans = await streamSpans(path);
    expect(Math.abs((spans.audio?.first ?? 9) - (spans.video?.first ?? 0))).toBeLessThan(0.15);
    expect(Math.abs((spans.audio?.last ?? 9) - (spans.video?.last ?? 0))).toBeLessThan(0.15);

    // Played back into a browser: frames decode, and EndOfStream comes within 1 s of the end.
    const { player, peer, events } = await playInto(pathToFileURL(path).href);
    await call(player, 'play');
    const startedAt = Date.now();
    const video = await call<any>(player, 'getVideoInfo');
    expect(video.isSeekable).toBe(true);
    expect(Math.abs(video.duration - info.durationSeconds * 1000)).toBeLessThan(300);
    for (let i = 0; i < 50 && (await peer.videoStats()).framesDecoded < 30; i++) await sleep(200);
    expect((await peer.videoStats()).framesDecoded).toBeGreaterThanOrEqual(30);
    for (let i = 0; i < 100 && !events.some((e) => e.name === 'EndOfStream'); i++) await sleep(100);
    const eos = events.find((e) => e.name === 'EndOfStream');
    expect(eos).toBeDefined();
    expect(Math.abs((eos?.at ?? 0) - startedAt - info.durationSeconds * 1000)).toBeLessThan(1000);
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

  /** A 6 s VP8 + Opus clip made with ffmpeg, for player tests that need no recording. */
  function clip(): string {
    const path = join(mediaDir, 'clip.webm');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440',
      '-t',
      '6',
      '-c:v',
      'libvpx',
      '-g',
      '50',
      '-c:a',
      'libopus',
      path,
    ]);
    return path;
  }

  it('seeks, pauses and reports its position', async () => {
    const { player } = await playInto(pathToFileURL(clip()).href);
    await call(player, 'play');
    await call(player, 'setPosition', 3000);
    expect(await call<number>(player, 'getPosition')).toBeGreaterThanOrEqual(3000);
    await call(player, 'pause');
    const paused = await call<number>(player, 'getPosition');
    await sleep(700);
    // Paused means the position stands still (what was in flight may add a frame or two).
    expect(Math.abs((await call<number>(player, 'getPosition')) - paused)).toBeLessThan(100);
    expect(await call<string>(player, 'getState')).toBe('PAUSE');
    await call(player, 'play');
    await sleep(700);
    expect(await call<number>(player, 'getPosition')).toBeGreaterThan(paused + 300);
  });

  it('gives a sink that joins mid-play a keyframe at once (the encoder alone would wait 12 s)', async () => {
    const { player } = await playInto(pathToFileURL(clip()).href);
    await call(player, 'play');
    await sleep(1500);
    const pipeline = pipelines.at(-1);
    const late = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const peer = await BrowserPeer.open(browser, pages, { send: false });
    peers.push(peer);
    await negotiateServerOffer(peer, late);
    await call(player, 'connect', late);
    const joinedAt = Date.now();
    for (let i = 0; i < 30 && (await peer.videoStats()).framesDecoded === 0; i++) await sleep(100);
    expect((await peer.videoStats()).framesDecoded).toBeGreaterThan(0);
    // The clip is 6 s with a keyframe every 300 frames: only a requested keyframe arrives this soon.
    expect(Date.now() - joinedAt).toBeLessThan(3000);
  });

  it('plays over http(s) too', async () => {
    const file = clip();
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/webm', 'content-length': statSync(file).size });
      createReadStream(file).pipe(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const { port } = server.address() as AddressInfo;
      const { player, peer } = await playInto(`http://127.0.0.1:${port}/clip.webm`);
      await call(player, 'play');
      for (let i = 0; i < 50 && (await peer.videoStats()).framesDecoded < 10; i++) await sleep(200);
      expect((await peer.videoStats()).framesDecoded).toBeGreaterThanOrEqual(10);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it('says why it cannot play a missing or unreadable URI, and leaves no helper behind', async () => {
    const missing = await playInto(pathToFileURL(join(mediaDir, 'nope.webm')).href);
    await expect(call(missing.player, 'play')).rejects.toThrow(/Cannot play .*nope\.webm: no such file/);
    expect(missing.events.map((e) => e.name)).toContain('Error');
    writeFileSync(join(mediaDir, 'garbage.webm'), 'this is not a video');
    const garbage = await playInto(pathToFileURL(join(mediaDir, 'garbage.webm')).href);
    await expect(call(garbage.player, 'play')).rejects.toThrow(/Cannot play .*garbage\.webm: ./);
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    pipelines.push(pipeline);
    await expect(call(pipeline, 'create', 'PlayerEndpoint', { uri: 'file:///etc/passwd' })).rejects.toThrow(
      /outside the media directory/,
    );
    expect(helperProcesses()).toBe(0);
  });
});
