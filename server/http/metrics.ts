// GET /metrics: the application in Prometheus's text format (prom-client). Every figure is
// read from its owner when Prometheus scrapes (sessions, pipelines, sockets, counters kept
// by signaling, the media repository and the TURN issuer), so nothing is counted twice and
// an idle server does no work. Media servers are asked for their CPU and memory
// (ServerManager) and for their pipelines' elements, each with a time limit, so a stuck
// media server slows no scrape beyond it. Behind API_TOKEN like the rest of the API:
// Prometheus sends it as a bearer token.

import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/** How long one media server may take to answer a scrape's questions. */
const MEDIA_SERVER_TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

/** The app's metrics; `scrape` reads the media servers once, then writes every figure. */
export function createMetrics(app: FastifyInstance): { contentType: string; scrape(): Promise<string> } {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];

  new Gauge({
    name: 'stage_sessions',
    help: 'Demo sessions open now, by demo',
    labelNames: ['demo'],
    registers,
    collect() {
      this.reset();
      for (const [demo, n] of Object.entries(app.sessions.countByDemo())) this.set({ demo }, n);
    },
  });

  new Gauge({
    name: 'stage_websocket_connections',
    help: 'Signaling WebSockets open now',
    registers,
    collect() {
      this.set(app.websocketServer.clients.size);
    },
  });

  /** A gauge per media server, set by readMediaServers below. */
  const serverGauge = (name: string, help: string): Gauge<'media_server'> =>
    new Gauge({ name, help, labelNames: ['media_server'], registers });
  const pipelines = serverGauge('stage_pipelines', 'Media pipelines this application holds, by media server');
  const endpoints = serverGauge(
    'stage_endpoints',
    'Endpoints (WebRTC, recorder, player…) in this application’s pipelines, by media server',
  );
  const up = serverGauge('stage_media_server_up', '1 when the media server is connected and ready, else 0');
  const cpu = serverGauge(
    'stage_media_server_cpu_percent',
    'CPU the media server reports in use (ServerManager.getUsedCpu), percent',
  );
  const cpus = serverGauge('stage_media_server_cpu_count', 'CPUs the media server reports (ServerManager.getCpuCount)');
  const memory = serverGauge(
    'stage_media_server_memory_bytes',
    'Memory the media server reports in use (ServerManager.getUsedMemory), bytes',
  );

  /** Read once per scrape, for all the media-server gauges together. */
  async function readMediaServers(): Promise<void> {
    for (const gauge of [pipelines, endpoints, up, cpu, cpus, memory]) gauge.reset();
    await Promise.all(
      app.media.members.map(async (server) => {
        // Already masked: a connection's url never carries its credentials.
        const media_server = server.url;
        const placed = [...app.media.placements].filter((p) => p.server === server);
        pipelines.set({ media_server }, placed.length);
        up.set({ media_server }, server.ready ? 1 : 0);
        if (!server.ready) return;
        const [resources, children] = await Promise.all([
          withTimeout(server.resources(), MEDIA_SERVER_TIMEOUT_MS),
          Promise.all(placed.map((p) => withTimeout(p.pipeline.children(), MEDIA_SERVER_TIMEOUT_MS))),
        ]);
        endpoints.set(
          { media_server },
          children.reduce((n, list) => n + (list ?? []).filter((e) => e.type.endsWith('Endpoint')).length, 0),
        );
        if (!resources) return;
        cpu.set({ media_server }, resources.usedCpuPercent);
        cpus.set({ media_server }, resources.cpuCount);
        memory.set({ media_server }, resources.usedMemoryBytes);
      }),
    );
  }

  new Counter({
    name: 'stage_signaling_messages_total',
    help: 'Signaling messages handled, by demo',
    labelNames: ['demo'],
    registers,
    collect() {
      this.reset();
      for (const [demo, n] of app.signaling.messages) this.inc({ demo }, n);
    },
  });

  new Counter({
    name: 'stage_signaling_errors_total',
    help: 'Signaling errors answered, by demo and error code',
    labelNames: ['demo', 'code'],
    registers,
    collect() {
      this.reset();
      for (const [demo, byReason] of app.signaling.errors) for (const [code, n] of byReason) this.inc({ demo, code }, n);
    },
  });

  const written = app.recordings.written;
  const total = (name: string, help: string, read: () => number): void => {
    new Counter({
      name,
      help,
      registers,
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  };
  total('stage_recordings_total', 'Recordings written to the media repository', () => written.recordings);
  total('stage_recording_bytes_total', 'Bytes of the recordings written', () => written.bytes);
  total('stage_recording_seconds_total', 'Seconds of media in the recordings written', () => written.seconds);
  total('stage_turn_credentials_issued_total', 'TURN credentials issued to pages and media servers', () => app.ice.issued);

  return {
    contentType: registry.contentType,
    // NOTE: prom-client runs each metric's collect() as it writes it; the media servers are
    // asked once, before, rather than once per gauge.
    scrape: async () => {
      await readMediaServers();
      return registry.metrics();
    },
  };
}

export async function metricsRoutes(app: FastifyInstance): Promise<void> {
  const metrics = createMetrics(app);
  app.get('/metrics', { schema: { summary: 'Prometheus metrics (text format)', tags: ['health'] } }, async (_request, reply) => {
    reply.header('content-type', metrics.contentType);
    reply.header('cache-control', 'no-store');
    return metrics.scrape();
  });
}
