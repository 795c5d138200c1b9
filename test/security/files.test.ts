// The media directory is a boundary on real paths: a symbolic link inside it cannot lead a
// player, a recorder or a filter image out of it, and a recorder never replaces a file the
// media server did not write itself (a demo asset, another recording), while recording again
// to a name it wrote before still works, as Kurento's tutorials do.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../helpers/app';
import { engineSession, makeClip, type EngineSession } from '../helpers/engine-session';
import { call } from '../helpers/kurento';

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
