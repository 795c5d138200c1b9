// Where the embedded media server may read and write files. As the app's child it stays inside
// its media directory, whatever the environment says; started standalone with
// --allow-any-path it records wherever its user may, as KMS does.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { loadEngineConfig } from '../../engine/config';
import { startEngine, type Engine } from '../../engine/engine';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { call, connect, disconnect } from '../helpers/kurento';

describe('file paths of the embedded media server', () => {
  let mediaDir: string;
  let elsewhere: string;
  const silent = pino({ level: 'silent' });

  beforeAll(() => {
    mediaDir = mkdtempSync(join(tmpdir(), 'engine-paths-media-'));
    elsewhere = mkdtempSync(join(tmpdir(), 'engine-paths-elsewhere-'));
  });

  afterAll(() => {
    rmSync(mediaDir, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });

  /** Creates a recorder of `uri` in a new pipeline; records and stops it; releases the pipeline. */
  async function recordNothing(url: string, uri: string): Promise<void> {
    const client = await connect(url);
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    try {
      const recorder = await call<any>(pipeline, 'create', 'RecorderEndpoint', { uri });
      await call(recorder, 'record');
      await call(recorder, 'stopAndWait');
    } finally {
      await call(pipeline, 'release');
      await disconnect(client);
    }
  }

  test('standalone with --allow-any-path, a recorder writes outside the media directory', async () => {
    let engine: Engine | undefined;
    try {
      engine = await startEngine(loadEngineConfig(['--port', '0', '--media-dir', mediaDir, '--allow-any-path']), silent);
      const target = join(elsewhere, 'anywhere.webm');
      await recordNothing(`ws://127.0.0.1:${engine.port}/kurento`, pathToFileURL(target).href);
      // A recording stopped before any media: the WebM header, written where it was asked.
      expect(readFileSync(target).subarray(0, 4).toString('hex')).toBe('1a45dfa3');
    } finally {
      await engine?.close();
    }
  });

  test('without the flag the refusal names it; as the app’s child the flag cannot be set from the environment', async () => {
    const outside = pathToFileURL(join(elsewhere, 'refused.webm')).href;
    const standalone = await startEngine(loadEngineConfig(['--port', '0', '--media-dir', mediaDir]), silent);
    try {
      await expect(recordNothing(`ws://127.0.0.1:${standalone.port}/kurento`, outside)).rejects.toThrow(
        /outside the media directory .*--allow-any-path/,
      );
    } finally {
      await standalone.close();
    }
    const child = await EngineProcess.start(silent, {
      logLevel: 'warn',
      env: { ENGINE_MEDIA_DIR: mediaDir, ENGINE_ALLOW_ANY_PATH: 'true' },
    });
    try {
      await expect(recordNothing(child.url, outside)).rejects.toThrow(/outside the media directory/);
    } finally {
      await child.stop();
    }
    expect(existsSync(join(elsewhere, 'refused.webm'))).toBe(false);
  });

  test('ENGINE_ALLOW_ANY_PATH takes true or false only', () => {
    expect(loadEngineConfig([], { ENGINE_ALLOW_ANY_PATH: 'true' }).allowAnyPath).toBe(true);
    expect(loadEngineConfig([], {}).allowAnyPath).toBe(false);
    expect(() => loadEngineConfig([], { ENGINE_ALLOW_ANY_PATH: 'sometimes' })).toThrow(
      /ENGINE_ALLOW_ANY_PATH must be true or false/,
    );
  });
});
