// RecorderEndpoint and PlayerEndpoint in the embedded media server, driven through the
// unmodified kurento-client with real Chromium peers: the files must be what a user's player
// expects (ffprobe reads the codecs and the duration, and a seek into the middle decodes), and
// a recording played back must reach a browser and end on time.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually } from '../helpers/app';
import { BrowserPeer, PeerPageServer } from '../helpers/browser-peer';
import { launchChromium } from '../helpers/browser';
import { decodedBytesAfterSeek, decodedVideoFrames, lastKeyframeSize, probe, streamSpans } from '../helpers/ffprobe';
import { helpersOf } from '../helpers/gstreamer';
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
    engine = await EngineProcess.start(pino({ level: 'warn' }), {
      logLevel: 'warn',
      env: { ENGINE_MEDIA_DIR: mediaDir, ENGINE_ALLOW_PRIVATE_URLS: 'true' },
    });
    client = await connect(engine.url);
    browser = await launchChromium();
    pages = await PeerPageServer.start();
  });

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await Promise.all(pipelines.splice(0).map((p) => call(p, 'release')));
    const manager = await call<any>(client, 'getServerManager');
    expect(await call<unknown[]>(manager, 'getPipelines')).toHaveLength(0);
    // A killed helper takes a moment to be reaped.
    await eventually(helpersOf(engine), (n) => n === 0, 5000);
  });

  afterAll(async () => {
    client?.close();
    await browser?.close();
    await pages?.close();
    await engine?.stop();
    rmSync(mediaDir, { recursive: true, force: true });
  });

  /** A camera in the browser, sending to a WebRtcEndpoint connected to a recorder. */
  async function cameraInto(
    profile: string,
    file: string,
    opts: { video?: { width: number; height: number }; mediaType?: 'AUDIO' | 'VIDEO' } = {},
  ): Promise<{ recorder: any; webRtc: any; events: { name: string; at: number }[] }> {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    pipelines.push(pipeline);
    const webRtc = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const uri = file.includes('://') ? file : pathToFileURL(join(mediaDir, file)).href;
    const recorder = await call<any>(pipeline, 'create', 'RecorderEndpoint', { uri, mediaProfile: profile });
    const events: { name: string; at: number }[] = [];
    for (const e of ['Recording', 'Paused', 'Stopped']) recorder.on(e, () => events.push({ name: e, at: Date.now() }));
    await (opts.mediaType ? call(webRtc, 'connect', recorder, opts.mediaType) : call(webRtc, 'connect', recorder));
    const peer = await BrowserPeer.open(browser, pages, { send: true, video: opts.video });
    peers.push(peer);
    await negotiateBrowserOffer(peer, webRtc);
    return { recorder, webRtc, events };
  }

  /** When `name` was heard (waits for it). */
  const heard = async (events: { name: string; at: number }[], name: string): Promise<number> =>
    (await eventually(
      () => events.find((e) => e.name === name),
      (e) => e !== undefined,
      20_000,
      `the ${name} event`,
    ))!.at;

  /**
   * A file's duration against the wall-clock time the test recorded for. The file may run a
   * little longer: it began before the Recording event reached the test, and ended after the
   * stop request reached the media server, each a message's trip on a possibly busy machine.
   */
  function expectDuration(seconds: number, recordedMs: number): void {
    expect(seconds).toBeGreaterThan(recordedMs / 1000 - 0.4);
    expect(seconds).toBeLessThan(recordedMs / 1000 + 1.5);
  }

  /** record() before media flows (as applications do), then 5 s once Recording says it began. */
  async function recordFiveSeconds(
    profile: string,
    file: string,
    video?: { width: number; height: number },
  ): Promise<{ path: string; recordedMs: number }> {
    const { recorder, events } = await cameraInto(profile, file, { video });
    await call(recorder, 'record');
    const began = await heard(events, 'Recording');
    await sleep(5000);
    const recordedMs = Date.now() - began;
    await call(recorder, 'stopAndWait');
    expect(events.map((e) => e.name)).toEqual(['Recording', 'Stopped']);
    return { path: join(mediaDir, file), recordedMs };
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
    const { path, recordedMs } = await recordFiveSeconds('WEBM', 'both.webm');
    const info = await probe(path);
    expect(info.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(['audio:opus', 'video:vp8']);
    expectDuration(info.durationSeconds, recordedMs);
    expect(info.streams.find((s) => s.type === 'video')?.width).toBe(640);
    expect(await decodedBytesAfterSeek(path, 2.5, 'video')).toBeGreaterThan(640 * 480 * 5);
    expect(await decodedBytesAfterSeek(path, 2.5, 'audio')).toBeGreaterThan(10_000);
    // Both streams start together and end together: captured at the same moments, they
    // carry the same times (a drift or an offset between the two clocks shows here).
    const spans = await streamSpans(path);
    expect(Math.abs((spans.audio?.first ?? 9) - (spans.video?.first ?? 0))).toBeLessThan(0.15);
    expect(Math.abs((spans.audio?.last ?? 9) - (spans.video?.last ?? 0))).toBeLessThan(0.15);

    // Played back into a browser: frames decode, and EndOfStream comes when the file ends:
    // never before its duration has played, and not long after.
    const { player, peer, events } = await playInto(pathToFileURL(path).href);
    const playAsked = Date.now();
    await call(player, 'play');
    const video = await call<any>(player, 'getVideoInfo');
    expect(video.isSeekable).toBe(true);
    expect(Math.abs(video.duration - info.durationSeconds * 1000)).toBeLessThan(300);
    await eventually(
      () => peer.videoStats(),
      (s) => s.framesDecoded >= 30,
      15_000,
    );
    const eos = await heard(events, 'EndOfStream');
    expect(eos - playAsked).toBeGreaterThan(info.durationSeconds * 1000 - 500);
    expect(eos - playAsked).toBeLessThan(info.durationSeconds * 1000 + 5000);
  });

  it('records WEBM_VIDEO_ONLY with one VP8 stream', async () => {
    const { path, recordedMs } = await recordFiveSeconds('WEBM_VIDEO_ONLY', 'video.webm');
    const info = await probe(path);
    expect(info.streams.map((s) => s.codec)).toEqual(['vp8']);
    expectDuration(info.durationSeconds, recordedMs);
    expect(await decodedBytesAfterSeek(path, 2.5, 'video')).toBeGreaterThan(640 * 480 * 5);
  });

  it('records WEBM_AUDIO_ONLY with one Opus stream', async () => {
    const { path, recordedMs } = await recordFiveSeconds('WEBM_AUDIO_ONLY', 'audio.webm');
    const info = await probe(path);
    expect(info.streams.map((s) => s.codec)).toEqual(['opus']);
    expectDuration(info.durationSeconds, recordedMs);
    expect(await decodedBytesAfterSeek(path, 2.5, 'audio')).toBeGreaterThan(10_000);
  });

  it.each([
    ['MKV', ['audio:opus', 'video:vp8']],
    ['MKV_VIDEO_ONLY', ['video:vp8']],
    ['MKV_AUDIO_ONLY', ['audio:opus']],
  ])('records %s as Matroska with the right streams', async (profile, streams) => {
    const { path, recordedMs } = await recordFiveSeconds(profile, `${profile}.mkv`);
    const info = await probe(path);
    expect(info.format).toBe('matroska,webm');
    expect(info.docType).toBe('matroska');
    expect(info.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(streams);
    expectDuration(info.durationSeconds, recordedMs);
  });

  it('refuses the MP4 profile by name, since it would need transcoding', async () => {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    pipelines.push(pipeline);
    const uri = pathToFileURL(join(mediaDir, 'x.mp4')).href;
    await expect(call(pipeline, 'create', 'RecorderEndpoint', { uri, mediaProfile: 'MP4' })).rejects.toThrow(
      /Media profile MP4 is not supported.*without transcoding/,
    );
    expect(await call<any[]>(pipeline, 'getChildren')).toEqual([]);
  });

  it.each([
    [320, 240],
    [1280, 720],
  ])('writes the picture size it records into the file (a %ix%i camera)', async (width, height) => {
    const { path } = await recordFiveSeconds('WEBM_VIDEO_ONLY', `size-${width}.webm`, { width, height });
    const video = (await probe(path)).streams.find((s) => s.type === 'video')!;
    // The header agrees with the frames (Chrome may send a 720p camera smaller while its
    // bandwidth estimate ramps up, but never in another shape).
    expect([video.width, video.height]).toEqual(await lastKeyframeSize(path));
    expect(video.width! / video.height!).toBeCloseTo(width / height, 1);
    if (width === 320) expect([video.width, video.height]).toEqual([320, 240]);
  });

  it('a recording whose audio arrives before its video has both, at the video’s own size', async () => {
    // Only audio at first: after 2 s without a keyframe the file starts with audio alone.
    const { recorder, webRtc, events } = await cameraInto('WEBM', 'audio-first.webm', {
      mediaType: 'AUDIO',
      video: { width: 320, height: 240 },
    });
    await call(recorder, 'record');
    const began = await heard(events, 'Recording');
    await sleep(1000);
    await call(webRtc, 'connect', recorder, 'VIDEO');
    await sleep(3000);
    const recordedMs = Date.now() - began;
    await call(recorder, 'stopAndWait');
    const path = join(mediaDir, 'audio-first.webm');
    const info = await probe(path);
    expect(info.streams.map((s) => `${s.type}:${s.codec}`).sort()).toEqual(['audio:opus', 'video:vp8']);
    const video = info.streams.find((s) => s.type === 'video');
    expect([video?.width, video?.height]).toEqual([320, 240]);
    expectDuration(info.durationSeconds, recordedMs);
    // The video, which came later, decodes where it is.
    expect(await decodedBytesAfterSeek(path, info.durationSeconds - 1.5, 'video')).toBeGreaterThan(320 * 240 * 5);
  });

  it('leaves a pause out of the file: record, pause 3 s, record again', async () => {
    const { recorder, events } = await cameraInto('WEBM', 'paused.webm');
    await call(recorder, 'record');
    const began = await heard(events, 'Recording');
    await sleep(2000);
    const pausedAt = Date.now();
    await call(recorder, 'pause');
    await sleep(3000);
    const resumedAt = Date.now();
    await call(recorder, 'record');
    await sleep(2000);
    const stoppedAt = Date.now();
    await call(recorder, 'stopAndWait');
    expect(events.map((e) => e.name)).toEqual(['Recording', 'Paused', 'Recording', 'Stopped']);
    const info = await probe(join(mediaDir, 'paused.webm'));
    // The two recorded stretches, and not the 3 s between them.
    expectDuration(info.durationSeconds, pausedAt - began + (stoppedAt - resumedAt));
    expect(await decodedBytesAfterSeek(join(mediaDir, 'paused.webm'), info.durationSeconds - 1, 'video')).toBeGreaterThan(
      640 * 480 * 5,
    );
  });

  it('closes the file cleanly when the pipeline is released mid-recording', async () => {
    const { recorder, events } = await cameraInto('WEBM', 'released.webm');
    await call(recorder, 'record');
    const began = await heard(events, 'Recording');
    await sleep(2000);
    const recordedMs = Date.now() - began;
    await call(pipelines.pop(), 'release');
    const info = await probe(join(mediaDir, 'released.webm'));
    expectDuration(info.durationSeconds, recordedMs);
  });

  it('records to an http URI as KMS does: one chunked POST that streams while it records, and the file plays', async () => {
    const received = join(mediaDir, 'uploaded.webm');
    const uploads: { path: string; headers: Record<string, unknown>; chunksAt: number[]; ended: boolean }[] = [];
    const receiver = createServer((req, res) => {
      if (req.url === '/refuse') return void res.writeHead(500).end();
      const upload = { path: req.url ?? '', headers: req.headers, chunksAt: [] as number[], ended: false };
      uploads.push(upload);
      const out = createWriteStream(received);
      req.on('data', (chunk: Buffer) => {
        upload.chunksAt.push(Date.now());
        out.write(chunk);
      });
      req.on('end', () => {
        upload.ended = true;
        out.end(() => res.writeHead(201).end());
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    try {
      const { recorder, events } = await cameraInto('WEBM', `${base}/recordings/call.webm`);
      await call(recorder, 'record');
      const began = await heard(events, 'Recording');
      // The recording reaches the receiver while it is being made, not only at the end.
      await eventually(
        () => uploads[0]?.chunksAt.length ?? 0,
        (n) => n >= 4,
        20_000,
        'four pieces of the recording at the receiver',
      );
      expect(uploads).toHaveLength(1);
      expect(uploads[0]!.ended).toBe(false);
      const recordedMs = Date.now() - began;
      await call(recorder, 'stopAndWait');
      const upload = uploads[0]!;
      expect(upload).toMatchObject({ path: '/recordings/call.webm', ended: true });
      expect(upload.headers).toMatchObject({ 'transfer-encoding': 'chunked', 'content-type': 'video/webm' });
      expect(events.map((e) => e.name)).toEqual(['Recording', 'Stopped']);
      const info = await probe(received);
      expect(info.streams.map((st) => st.codec).sort()).toEqual(['opus', 'vp8']);
      // A live file carries no duration; every frame of it decodes.
      const frames = await decodedVideoFrames(received);
      expect(frames).toBeGreaterThan((recordedMs / 1000) * 10);

      // A receiver that refuses ends the recording with an Error event that says so.
      const refused = await cameraInto('WEBM', `${base}/refuse`);
      const errors: string[] = [];
      refused.recorder.on('Error', (e: { description: string }) => errors.push(e.description));
      await call(refused.recorder, 'record');
      await eventually(
        () => errors,
        (e) => e.length > 0,
        20_000,
        'an Error event for the refused upload',
      );
      expect(errors[0]).toMatch(/Cannot upload the recording to http:.*\/refuse: the receiver answered HTTP 500/);
      expect(await call(refused.recorder, 'getState')).toBe('STOP');
    } finally {
      receiver.closeAllConnections();
      receiver.close();
    }
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

  it('seeks, pauses and reports its position, and ends when the rest of the clip has played', async () => {
    const { player, events } = await playInto(pathToFileURL(clip()).href);
    await call(player, 'play');
    expect(await call(player, 'isMediaTranscoding', 'VIDEO')).toBe(true);
    // No GStreamer graph to show here: said plainly, not a made-up one.
    await expect(call(player, 'getElementGstreamerDot')).rejects.toThrow(/not supported by the embedded media server/);
    await call(player, 'setPosition', 3000);
    const seekedAt = Date.now();
    // Playing on from the target: the position moves past it.
    await eventually(
      () => call<number>(player, 'getPosition'),
      (p) => p > 3500,
      10_000,
      'the position to move past 3.5 s after a seek to 3 s',
    );
    await call(player, 'pause');
    expect(await call<string>(player, 'getState')).toBe('PAUSE');
    const paused = await call<number>(player, 'getPosition');
    await sleep(700);
    // Paused means the position stands still (what was in flight may add a frame or two).
    expect(Math.abs((await call<number>(player, 'getPosition')) - paused)).toBeLessThan(100);
    const pausedFor = Date.now();
    await call(player, 'play');
    await eventually(
      () => call<number>(player, 'getPosition'),
      (p) => p > paused + 300,
      10_000,
      'the position to move on after play',
    );
    // The 6 s clip, sought to 3 s: EndOfStream after the remaining 3 s of play (plus the pause).
    const eos = await heard(events, 'EndOfStream');
    const pause = Date.now() - pausedFor > 0 ? pausedFor - seekedAt : 0;
    expect(eos - seekedAt).toBeGreaterThan(3000 - 500);
    expect(eos - seekedAt).toBeLessThan(3000 + pause + 5000);
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
    await eventually(
      () => peer.page.evaluate(() => (window as unknown as { pc: RTCPeerConnection }).pc.connectionState),
      (s) => s === 'connected',
      20_000,
    );
    await call(player, 'connect', late);
    // The clip is 6 s with a keyframe every 300 frames: only a requested keyframe can arrive
    // before it ends.
    await eventually(
      () => peer.videoStats(),
      (s) => s.framesDecoded > 0,
      4000,
      'a frame decoded by the sink that joined mid-play',
    );
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
      await eventually(
        () => peer.videoStats(),
        (s) => s.framesDecoded >= 10,
        15_000,
      );
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
    await eventually(helpersOf(engine), (n) => n === 0, 5000);
  });
});
