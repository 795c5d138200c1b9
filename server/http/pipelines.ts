// The operator's view of every pipeline this application holds, on every media server:
// GET /api/pipelines answers each with what it is for and its live state (elements,
// connections, flow, bitrates); the /pipelines page polls it. Reading goes on for a short
// lease after each request, so an idle server reads nothing.

import type { FastifyInstance } from 'fastify';

/** How long a pipeline is read after the operator last asked: a few polls' worth. */
const LEASE_MS = 10_000;

export async function pipelineRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/pipelines',
    { schema: { summary: 'Every pipeline this application holds, live, on every media server', tags: ['media'] } },
    async () => {
      const placements = [...app.media.placements];
      const pipelines = await Promise.all(
        placements.map(async (p) => ({
          label: p.label,
          server: p.server.url,
          pipeline: (await p.monitor.peek(LEASE_MS)) ?? null,
        })),
      );
      return { pipelines };
    },
  );
}
