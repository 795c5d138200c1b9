// Assembles the embedded media server: interface definitions, core, transport. Used by the
// CLI (main.ts) and by tests that want an engine in-process.

import pino, { type Logger } from 'pino';
import type { EngineConfig } from './config';
import { MediaServer } from './protocol/media-server';
import { EngineServer } from './protocol/server';
import { kmdPackages, TypeRegistry } from './types/kmd';

export interface Engine {
  readonly port: number;
  readonly core: MediaServer;
  /** Cuts every client socket, keeping sessions for resume: fault injection for tests. */
  dropConnections(): void;
  /** Stops a media worker thread as a crash would: fault injection for tests. */
  killWorker(index: number): void;
  close(): Promise<void>;
}

export async function startEngine(config: EngineConfig, log: Logger = pino({ level: config.logLevel })): Promise<Engine> {
  const registry = TypeRegistry.load(kmdPackages(config.addonModules));
  const core = new MediaServer(registry, config, log);
  let server: EngineServer;
  try {
    await core.startWorkers();
    server = await EngineServer.listen(core, log, config.host, config.port);
  } catch (err) {
    await core.close(); // the workers started so far, and anything they opened
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    port: server.port,
    core,
    dropConnections: () => server.dropConnections(),
    killWorker: (index) => core.killWorker(index),
    close: () =>
      (closing ??= (async () => {
        await server.close();
        await core.close();
      })()),
  };
}
