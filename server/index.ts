// The process entry: load the config, build the app, listen, and shut down in order on
// SIGINT/SIGTERM. Nothing else lives here.

import { buildApp } from './app';
import { ConfigError, loadConfig, redactConfig } from './config';

/**
 * Shutdown ends sessions, then the media server connections, then the engine. A media server
 * that does not answer must not hold the process past Docker's 10 s grace period.
 */
const SHUTDOWN_DEADLINE_MS = 8000;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`kurento-stage: invalid configuration: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const app = await buildApp(config);
  app.log.debug({ config: redactConfig(config) }, 'configuration');
  try {
    // Fastify's own "listening" line becomes the one line an operator needs: where to go.
    await app.listen({
      host: config.HOST,
      port: config.PORT,
      listenTextResolver: (address) => `Kurento Stage is ready: open ${address}/`,
    });
  } catch (err) {
    // The engine is already running: close what the app started before saying why.
    await app.close().catch(() => undefined);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      const why = code === 'EADDRINUSE' ? 'is in use' : 'needs privileges this process lacks';
      process.stderr.write(
        `kurento-stage: port ${config.PORT} on ${config.HOST} ${why}; set PORT to another port (for example PORT=8081)\n`,
      );
      process.exit(1);
    }
    throw err;
  }

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    setTimeout(() => {
      app.log.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown did not finish in time; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
      () => process.exit(0),
      (err: unknown) => {
        app.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`kurento-stage failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
