// The media server a benchmark loads: a real KMS when KMS_URL names one (its first entry),
// otherwise the embedded engine, started here and stopped by `close()`.

import type { Logger } from 'pino';
import { MediaServerConnection } from '../../server/kurento/client';
import { EngineProcess, type EngineOptions } from '../../server/kurento/engine-launcher';
import { coreCount } from './placement';

export interface BenchMediaServer {
  kms: MediaServerConnection;
  /** The engine when this process started it; undefined for KMS_URL. */
  engine: EngineProcess | undefined;
  /** What the report names: KMS_URL, or the embedded engine. */
  label: string;
  /** The engine's media worker count, as the report names it. */
  workers: string | undefined;
  close(): Promise<void>;
}

export async function benchMediaServer(log: Logger, options: EngineOptions = {}): Promise<BenchMediaServer> {
  const url = process.env.KMS_URL?.split(',')[0];
  // NOTE: the engine is pinned after it starts, so by default it would count every core of the
  // machine; it gets one worker per core it is pinned to, as if started on those cores alone.
  const workers = process.env.ENGINE_WORKERS ?? String(coreCount(process.env.BENCH_SERVER_CORES ?? '0'));
  const engine = url
    ? undefined
    : await EngineProcess.start(log, { logLevel: 'warn', ...options, env: { ENGINE_WORKERS: workers, ...options.env } });
  const kms = new MediaServerConnection(url ?? engine!.url, log);
  while (!kms.ready) await new Promise((r) => setTimeout(r, 50));
  return {
    kms,
    engine,
    label: url ?? 'the embedded engine',
    workers: url ? undefined : workers,
    async close() {
      kms.close();
      await engine?.stop();
    },
  };
}
