// The media server a benchmark loads: a real KMS when KMS_URL names one (its first entry),
// otherwise the embedded engine, started here and stopped by `close()`.

import type { Logger } from 'pino';
import { MediaServerConnection } from '../../server/kurento/client';
import { EngineProcess, type EngineOptions } from '../../server/kurento/engine-launcher';

export interface BenchMediaServer {
  kms: MediaServerConnection;
  /** The engine when this process started it; undefined for KMS_URL. */
  engine: EngineProcess | undefined;
  /** What the report names: KMS_URL, or the embedded engine. */
  label: string;
  close(): Promise<void>;
}

export async function benchMediaServer(log: Logger, options: EngineOptions = {}): Promise<BenchMediaServer> {
  const url = process.env.KMS_URL?.split(',')[0];
  const engine = url ? undefined : await EngineProcess.start(log, { logLevel: 'warn', ...options });
  const kms = new MediaServerConnection(url ?? engine!.url, log);
  while (!kms.ready) await new Promise((r) => setTimeout(r, 50));
  return {
    kms,
    engine,
    label: url ?? 'the embedded engine',
    async close() {
      kms.close();
      await engine?.stop();
    },
  };
}
