// Operations endpoints: /healthz (the process is up), /readyz (a media server is
// reachable), and /api/status (what the index page shows: each media server's state).

import type { FastifyInstance } from 'fastify';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { schema: { summary: 'The process is up', tags: ['health'] } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    {
      schema: {
        summary: 'Ready: a media server and the store are reachable (503 with a reason if not), and each media server',
        tags: ['health'],
      },
    },
    async (_request, reply) => {
      const store = await app.store.ping();
      const ready = app.media.ready && store;
      const reason = !app.media.ready
        ? 'No media server is reachable; the demos will work once one is'
        : !store
          ? `The ${app.store.kind} store is not reachable`
          : undefined;
      return reply.code(ready ? 200 : 503).send({
        status: ready ? 'ready' : 'not ready',
        mediaServers: app.media.status(),
        store: { kind: app.store.kind, ready: store },
        ...(reason ? { reason } : {}),
      });
    },
  );

  app.get(
    '/api/status',
    { schema: { summary: 'What the index page shows: the media servers, the store, sessions by demo', tags: ['health'] } },
    async () => ({
      mediaServer: {
        ready: app.media.ready,
        embedded: app.embeddedEngine !== undefined,
        servers: app.media.status(),
      },
      store: { kind: app.store.kind, ready: await app.store.ping() },
      sessions: app.sessions.countByDemo(),
    }),
  );
}
