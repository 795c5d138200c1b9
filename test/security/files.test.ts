// A recording that meets a full disk ends in words and leaves the engine up.
//
// The media directory is a boundary on real paths: a symbolic link inside it cannot lead a
// player, a recorder or a filter image out of it, and a recorder never replaces a file the
// media server did not write itself (a demo asset, another recording), while recording again
// to a name it wrote before still works, as Kurento's tutorials do.

import { spawn, type ChildProcess } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { engineEntry } from '../../server/kurento/engine-launcher';
import { eventually } from '../helpers/app';
import { engineSession, makeClip, type EngineSession } from '../helpers/engine-session';
import { decodedVideoFrames, probe } from '../helpers/ffprobe';
import { call, connect, disconnect } from '../helpers/kurento';

jest.setTimeout(90_000);

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
describe('the media directory', () => {
  let dir: string;
  let media: string;
  let outside: string;
  let session: EngineSession;
  let pipeline: any;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stage-files-'));
    media = join(dir, 'media');
    outside = join(dir, 'outside');
    mkdirSync(media);
    mkdirSync(outside);
    makeClip(join(media, 'clip.webm'), 3);
    writeFileSync(join(outside, 'secret.webm'), readFileSync(join(media, 'clip.webm')));
    writeFileSync(join(outside, 'victim.webm'), 'precious');
    writeFileSync(join(outside, 'image.png'), readFileSync(join(__dirname, '../../client/assets/overlays/top-hat.png')));
    symlinkSync(join(outside, 'secret.webm'), join(media, 'link-to-secret.webm'));
    symlinkSync(join(outside, 'victim.webm'), join(media, 'link-to-victim.webm'));
    symlinkSync(join(outside, 'image.png'), join(media, 'link-to-image.png'));
    symlinkSync(outside, join(media, 'linked-folder'));
    mkdirSync(join(media, 'filter-images'));
    writeFileSync(join(media, 'filter-images', 'asset.webm'), 'a demo asset');
    session = await engineSession(['--media-dir', media]);
    pipeline = session.pipeline;
  });

  afterAll(async () => {
    await session?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const createError = async (type: string, params: Record<string, unknown>): Promise<string> => {
    try {
      const made = await call<any>(pipeline, 'create', type, params);
      await call(made, 'release');
      return 'created';
    } catch (err) {
      return (err as Error).message;
    }
  };

  test('a symbolic link inside it does not let a player read, or a recorder write, outside it', async () => {
    for (const [type, uri] of [
      ['PlayerEndpoint', `file://${join(media, 'link-to-secret.webm')}`],
      ['PlayerEndpoint', `file://${join(media, 'linked-folder', 'secret.webm')}`],
      ['RecorderEndpoint', `file://${join(media, 'link-to-victim.webm')}`],
      ['RecorderEndpoint', `file://${join(media, 'linked-folder', 'new.webm')}`],
    ] as const) {
      expect([uri, await createError(type, { uri })]).toEqual([uri, expect.stringContaining('is outside the media directory')]);
    }
    expect(readFileSync(join(outside, 'victim.webm'), 'utf8')).toBe('precious');
  });

  test('a filter image behind a symbolic link is refused', async () => {
    const filter = await call<any>(pipeline, 'create', 'FaceOverlayFilter');
    const errors: string[] = [];
    filter.on('Error', (e: { description: string }) => errors.push(e.description));
    await call(filter, 'setOverlayedImage', join(media, 'link-to-image.png'), 0, 0, 1, 1);
    await call(filter, 'release');
    expect(errors).toEqual([expect.stringContaining('is outside the media directory')]);
  });

  /** Plays the clip into a recorder at `uri`; resolves with the recorder's Error events. */
  async function recordClip(uri: string): Promise<string[]> {
    const player = await call<any>(pipeline, 'create', 'PlayerEndpoint', { uri: `file://${join(media, 'clip.webm')}` });
    const recorder = await call<any>(pipeline, 'create', 'RecorderEndpoint', { uri, mediaProfile: 'WEBM_VIDEO_ONLY' });
    const errors: string[] = [];
    let recording = false;
    recorder.on('Error', (e: { description: string }) => errors.push(e.description));
    recorder.on('Recording', () => (recording = true));
    try {
      await call(player, 'connect', recorder);
      await call(recorder, 'record');
      await call(player, 'play');
      await eventually(() => errors.length > 0 || recording, Boolean, 15_000, 'the recorder to start or fail');
      await call(recorder, 'stopAndWait');
      return errors;
    } finally {
      await call(player, 'release');
      await call(recorder, 'release');
    }
  }

  test('a recorder does not overwrite a file it did not write, and may record again over its own', async () => {
    const asset = join(media, 'filter-images', 'asset.webm');
    expect(await recordClip(`file://${asset}`)).toEqual([
      expect.stringMatching(/exists and was not recorded by this media server/),
    ]);
    expect(readFileSync(asset, 'utf8')).toBe('a demo asset');

    const mine = join(media, 'again.webm');
    expect(await recordClip(`file://${mine}`)).toEqual([]);
    const first = readFileSync(mine).length;
    expect(first).toBeGreaterThan(1000);
    expect(await recordClip(`file://${mine}`)).toEqual([]);
    expect(readFileSync(mine).length).toBeGreaterThan(1000);
  });
});

// A full disk takes part of a write and refuses the rest. A file size limit (RLIMIT_FSIZE)
// does exactly that, on demand: the kernel writes up to the limit, then fails with EFBIG (Node
// ignores SIGXFSZ). So the engine runs as its own process under `prlimit --fsize`.
describe('a recording that meets a full disk', () => {
  const LIMIT = 60_000;
  const CUES_ID = Buffer.from([0x1c, 0x53, 0xbb, 0x6b]);
  /** The files a process holds open. */
  const openPaths = (pid: number): string[] =>
    readdirSync(`/proc/${pid}/fd`).map((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return ''; // closed meanwhile
      }
    });
  let dir: string;
  let engine: ChildProcess;
  let client: any;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stage-short-write-'));
    makeClip(join(dir, 'clip.webm'), 20, '640x480');
    engine = spawn(
      'prlimit',
      [`--fsize=${LIMIT}`, process.execPath, engineEntry(), '--host', '127.0.0.1', '--port', '0', '--media-dir', dir],
      {
        env: { ...process.env, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const port = await new Promise<number>((resolve, reject) => {
      createInterface({ input: engine.stdout! }).on('line', (line) => {
        const m = /"engineReady":true,"port":(\d+)/.exec(line);
        if (m) resolve(Number(m[1]));
      });
      engine.once('exit', (code) => reject(new Error(`the engine exited (${code}) before listening`)));
    });
    client = await connect(`ws://127.0.0.1:${port}/kurento`);
  });

  afterAll(async () => {
    if (client) await disconnect(client);
    engine?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the recorder reports one error in words, stops, leaves what it wrote readable, and the engine stays up', async () => {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    const player = await call<any>(pipeline, 'create', 'PlayerEndpoint', { uri: `file://${join(dir, 'clip.webm')}` });
    const target = join(dir, 'full.webm');
    const recorder = await call<any>(pipeline, 'create', 'RecorderEndpoint', {
      uri: `file://${target}`,
      mediaProfile: 'WEBM_VIDEO_ONLY',
    });
    const errors: string[] = [];
    let stopped = false;
    recorder.on('Error', (e: { description: string }) => errors.push(e.description));
    recorder.on('Stopped', () => (stopped = true));
    await call(player, 'connect', recorder);
    await call(recorder, 'record');
    await call(player, 'play');

    await eventually(
      () => ({ errors, stopped }),
      (s) => s.errors.length > 0 && s.stopped,
      30_000,
      'the write to fail',
    );
    expect(errors).toEqual([expect.stringMatching(/^Cannot write file:\/\/.*full\.webm: EFBIG: file too large/)]);
    expect(await call(recorder, 'getState')).toBe('STOP');
    // The file holds what the disk took, and it still reads as a video.
    expect(statSync(target).size).toBe(LIMIT);
    expect((await probe(target)).streams).toContainEqual(expect.objectContaining({ type: 'video', codec: 'vp8' }));
    expect(await decodedVideoFrames(target)).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1000)); // frames keep coming: none may raise another error
    expect(errors).toHaveLength(1);
    // Nothing was written over what the disk took: finishing the file (Cues, Duration) would
    // have written at the failed write's place, inside the last cluster.
    expect(readFileSync(target).includes(CUES_ID)).toBe(false);
    expect(openPaths(engine.pid!)).not.toContain(target);

    // The engine is up and serves the next request.
    await call(pipeline, 'release');
    const next = await call<any>(client, 'create', 'MediaPipeline');
    await call(next, 'release');
    expect(engine.exitCode).toBeNull();
  });
});
