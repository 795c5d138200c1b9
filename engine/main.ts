// The embedded media server as a program: `npm run engine -- --port 8888`. It prints one
// JSON line with `"engineReady":true` and the port once it listens, which is what the
// application server's launcher waits for, and shuts down cleanly on SIGINT/SIGTERM or when
// its parent's stdin closes (so an orphaned engine never lingers).

import { nativeSend } from './rtp/native-send';
import pino from 'pino';
import { EngineConfigError, loadEngineConfig } from './config';
import { startEngine } from './engine';

async function main(): Promise<void> {
  let config;
  try {
    config = loadEngineConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof EngineConfigError) {
      process.stderr.write(`kurento-stage engine: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = pino({ level: config.logLevel, base: { service: 'engine' } });
  const engine = await startEngine(config, log);
  // NOTE: the ready line is written whatever the log level: the launcher waits for it.
  process.stdout.write(`${JSON.stringify({ engineReady: true, port: engine.port, host: config.host })}\n`);
  log.info(`Kurento Protocol on ws://${config.host}:${engine.port}/kurento`);
  const native = !config.nativeSend ? 'off (ENGINE_NATIVE_SEND=false)' : nativeSend() ? 'on' : 'not built (npm run build:native)';
  log.info(
    { workers: config.workers, pipeAfter: config.pipeAfter },
    `media workers: ${config.workers}; native send path: ${native}`,
  );

  let stopping = false;
  const stop = (why: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ why }, 'engine stopping');
    engine.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'engine did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  if (process.env.ENGINE_WATCH_STDIN === '1') {
    process.stdin.on('end', () => stop('parent went away'));
    process.stdin.resume();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`kurento-stage engine failed to start: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
