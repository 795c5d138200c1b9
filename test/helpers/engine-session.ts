// An embedded engine in this process, with the registry-shaped kurento-client connected to it
// and one pipeline made: what the engine-level security tests drive. Plus the small things
// they share: a test clip made with ffmpeg.

import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { loadEngineConfig } from '../../engine/config';
import { startEngine, type Engine } from '../../engine/engine';
import { call, connect, disconnect } from './kurento';

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
export interface EngineSession {
  engine: Engine;
  client: any;
  pipeline: any;
  /** Releases the pipeline, disconnects and stops the engine. */
  close(): Promise<void>;
}

/** Starts an engine with these CLI arguments (a free port is added) and connects to it. */
export async function engineSession(args: string[]): Promise<EngineSession> {
  const engine = await startEngine(loadEngineConfig(['--port', '0', ...args]), pino({ level: 'silent' }));
  let client: any;
  try {
    client = await connect(`ws://127.0.0.1:${engine.port}/kurento`);
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    return {
      engine,
      client,
      pipeline,
      close: async () => {
        await call(pipeline, 'release').catch(() => undefined);
        await disconnect(client);
        await engine.close();
      },
    };
  } catch (err) {
    if (client) await disconnect(client);
    await engine.close();
    throw err;
  }
}

/** A VP8 WebM test pattern of `seconds`, written to `path` by ffmpeg. */
export function makeClip(path: string, seconds: number, size = '320x240', codec = 'libvpx', format?: string): void {
  const args = ['-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc=size=${size}:rate=15`, '-t', String(seconds), '-c:v', codec];
  execFileSync('ffmpeg', [...args, ...(format ? ['-f', format] : []), path]);
}
