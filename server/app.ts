// buildApp wires the application together and never listens, so tests build the real app.
// It owns what it starts: the embedded engine (when no KMS_URL is set), the media server
// pool and the demo sessions, and closes them in order: sessions (their pipelines), then
// the Kurento connections, then the engine.

import fastifyWebsocket from '@fastify/websocket';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { isLoopbackHost, type Config } from './config';
import { resolve } from 'node:path';
import { historyRoutes } from './http/history';
import { OpenApi } from './http/openapi';
import { APP_VERSION } from './util/version';
import { liveRoutes } from './http/live';
import { createStore, type Store } from './store';
import { HistoryRetention } from './store/retention';
import { recordingsRoutes } from './http/recordings';
import { DemoImages } from './media/demo-images';
import { MediaRepository } from './media/repository';
import { SessionRegistry } from './sessions/session-registry';
import { demoRoutes } from './demo-registry';
import { AppError, httpError } from './errors';
import { healthRoutes } from './http/health';
import { guardOrigins } from './http/origin-guard';
import { guardAccess } from './http/access';
import { SocketLimits } from './signaling/socket-limits';
import { SignalingCounters } from './signaling/signaling-counters';
import { staticRoutes } from './http/static';
import { pipelineRoutes } from './http/pipelines';
import { iceServerRoutes } from './http/ice-servers';
import { metricsRoutes } from './http/metrics';
import { IceServers } from './ice/ice-servers';
import { EngineProcess } from './kurento/engine-launcher';
import { MediaServerPool } from './kurento/pool';
import { loggerOptions } from './logging';
import { Webhooks } from './webhooks/webhooks';
import { selfSignedCertificate, readCertificate } from './tls';

declare module 'fastify' {
  interface FastifyInstance {
    media: MediaServerPool;
    sessions: SessionRegistry;
    embeddedEngine: EngineProcess | undefined;
    config: Config;
    store: Store;
    recordings: MediaRepository;
    demoImages: DemoImages;
    ice: IceServers;
    signaling: SignalingCounters;
    webhooks: Webhooks;
    openApi: OpenApi;
  }
}

/** Signaling frames: an SDP offer is a few KiB; anything near this is abuse. */
export const MAX_SIGNALING_FRAME_BYTES = 64 * 1024;
/** How long signaling clients get to answer the server's close before their sockets are ended. */
const SOCKET_CLOSE_GRACE_MS = 1000;

export async function buildApp(config: Config): Promise<FastifyInstance> {
  const options: FastifyServerOptions & { https?: { key: string; cert: string } } = {
    logger: loggerOptions(config.LOG_LEVEL),
    // One info line per HTTP request would drown the lifecycle lines the rubric keeps at info.
    logController: new LogController({ disableRequestLogging: true }),
  };
  if (config.HTTPS) {
    options.https =
      config.TLS_CERT && config.TLS_KEY
        ? readCertificate(config.TLS_CERT, config.TLS_KEY)
        : await selfSignedCertificate(config.HOST);
  }
  const app = Fastify(options) as unknown as FastifyInstance;
  app.decorate('config', config);
  // First: a TURN host that does not resolve stops start-up before anything is started.
  const ice = await IceServers.create(config);
  app.decorate('ice', ice);
  app.decorate('signaling', new SignalingCounters());

  let engine: EngineProcess | undefined;
  let urls = config.kmsUrls;
  // NOTE: the embedded engine reads the demo images from the app's own data folder, outside
  // the media directory that recorders write. A KMS elsewhere needs them on the shared volume.
  const demoImageDir = urls.length === 0 ? resolve(config.DATA_DIR, 'filter-images') : undefined;
  if (urls.length === 0) {
    engine = await EngineProcess.start(app.log, {
      logLevel: config.LOG_LEVEL,
      env: {
        ENGINE_MIN_PORT: config.ENGINE_MIN_PORT?.toString(),
        ENGINE_MAX_PORT: config.ENGINE_MAX_PORT?.toString(),
        ENGINE_ADDRESSES: config.ENGINE_ADDRESSES,
        ENGINE_EXTERNAL_IPV4: config.ENGINE_EXTERNAL_IPV4,
        ENGINE_EXTERNAL_IPV6: config.ENGINE_EXTERNAL_IPV6,
        ENGINE_STUN: config.ENGINE_STUN,
        ENGINE_TURN_URL: config.ENGINE_TURN_URL,
        ENGINE_MEDIA_DIR: resolve(config.MEDIA_DIR),
        ENGINE_IMAGE_DIRS: demoImageDir,
        ENGINE_ALLOW_PRIVATE_URLS: String(config.ALLOW_PRIVATE_URLS),
      },
    });
    urls = [engine.url];
  }
  const store = createStore(config);
  try {
    await store.open();
  } catch (err) {
    await engine?.stop();
    throw new Error(`The store could not be opened (${store.kind}): ${(err as Error).message}`);
  }
  app.decorate('store', store);
  const retention = new HistoryRetention(
    store,
    { maxDays: config.HISTORY_MAX_DAYS, maxCalls: config.HISTORY_MAX_CALLS },
    app.log,
  );
  await retention.start();
  const webhooks = new Webhooks(
    config.WEBHOOK_URL && config.WEBHOOK_SECRET ? { url: config.WEBHOOK_URL, secret: config.WEBHOOK_SECRET } : undefined,
    app.log,
  );
  app.decorate('webhooks', webhooks);
  const recordings = new MediaRepository(config.MEDIA_DIR, config.KMS_MEDIA_DIR, store, app.log);
  recordings.announceTo(webhooks);
  await recordings.open();
  app.decorate('recordings', recordings);
  const demoImages = new DemoImages(recordings, demoImageDir);
  await demoImages.install();
  app.decorate('demoImages', demoImages);
  const pool = new MediaServerPool(urls, app.log, {
    turnUrl: () => ice.forMediaServer(),
    instanceId: config.instanceId,
    pollMs: config.KMS_POLL_SECONDS * 1000,
    lostAfterMs: config.KMS_LOST_AFTER_SECONDS * 1000,
  });
  const sessions = new SessionRegistry();
  app.decorate('embeddedEngine', engine);
  app.decorate('media', pool);
  app.decorate('sessions', sessions);

  app.addHook('onClose', async () => {
    await sessions.closeAll('server shutting down');
    // The sessions' last events (sessionDestroyed) get a moment to go out.
    await webhooks.close();
    await pool.close();
    await engine?.stop();
    await retention.stop();
    await store.close();
  });

  // One shape for every REST error, 4xx and 5xx alike: {error, code, message}.
  app.setErrorHandler((err, request, reply) => {
    const refusal = httpError(err);
    // A bad request is the client's mistake, not ours: no stack trace at error level.
    if (refusal.status >= 500 && !(err instanceof AppError)) request.log.error({ err }, 'request failed');
    else if (!(err instanceof AppError))
      request.log.info({ status: refusal.status, message: refusal.message }, 'request refused');
    return reply.code(refusal.status).send(refusal.toJSON());
  });
  app.setNotFoundHandler((request, reply) => {
    const refusal = new AppError('NOT_FOUND', `there is no ${request.method} ${request.url.split('?')[0]!.slice(0, 200)}`);
    return reply.code(refusal.status).send(refusal.toJSON());
  });

  await app.register(fastifyWebsocket, {
    options: { maxPayload: MAX_SIGNALING_FRAME_BYTES },
    // NOTE: ws's close() waits up to 30 s for the client's answer, and a vanished client never
    // answers: say goodbye, and end what is still open after a short grace.
    preClose(done) {
      this.websocketServer.close();
      const clients = [...this.websocketServer.clients];
      let open = clients.length;
      const grace = setTimeout(() => {
        for (const client of clients) client.terminate();
      }, SOCKET_CLOSE_GRACE_MS);
      const closed = (): void => {
        if (--open > 0) return;
        clearTimeout(grace);
        done();
      };
      if (open === 0) {
        clearTimeout(grace);
        done();
      }
      for (const client of clients) {
        client.once('close', closed);
        client.close(1001, 'server shutting down');
      }
    },
    // Socket errors are the client's doing (oversized frames, unclean disconnects): ws has
    // already closed with the right code, so this is debug, not an error of ours.
    errorHandler: (err, socket, request) => {
      request.log.debug({ err }, 'signaling socket error');
      socket.terminate();
    },
  });
  // NOTE: after the WebSocket plugin, whose own hooks then mark an upgrade, so that a refused
  // one has its socket closed once the refusal is written.
  guardOrigins(app, config);
  await guardAccess(app);
  new SocketLimits(config.MAX_SOCKETS_PER_IP).install(app);
  if (!config.API_TOKEN && !isLoopbackHost(config.HOST)) {
    // NOTE: config.ts refuses this unless ALLOW_ANONYMOUS=true; say so on every start.
    app.log.warn(
      { host: config.HOST },
      'ALLOW_ANONYMOUS=true: anyone who can reach this server can use the demos, join any room and read and delete every recording; set API_TOKEN to require access',
    );
  }
  // Before any API route: it reads each one as it is registered.
  const openApi = new OpenApi(app);
  app.decorate('openApi', openApi);
  await app.register(healthRoutes);
  await app.register(historyRoutes);
  await app.register(liveRoutes);
  await app.register(recordingsRoutes);
  await app.register(pipelineRoutes);
  await app.register(iceServerRoutes);
  await app.register(metricsRoutes);
  await app.register(staticRoutes);
  await app.register(demoRoutes);
  app.get('/api/openapi.json', { schema: { summary: 'This description of the API (OpenAPI 3.1)', tags: ['health'] } }, async () =>
    openApi.document(APP_VERSION),
  );
  return app;
}
