// The index page (client/index.html) at /, the operator's pipelines page at /pipelines, the
// REST API's reference at /api-docs, the browser bundle (dist/client) at /bundle/, and
// the demos' images (client/assets) at /assets/. Each demo's page is served by the registry
// (server/demo-registry.ts) at its own URL.

import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { assetsDir, clientBundleDir, clientDir } from '../util/paths';

export async function staticRoutes(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, { root: clientDir, serve: false });
  app.get('/', (_request, reply) => reply.sendFile('index.html'));
  app.get('/pipelines', (_request, reply) => reply.sendFile('pipelines.html'));
  app.get('/api-docs', (_request, reply) => reply.sendFile('api-docs.html'));
  await app.register(fastifyStatic, { root: clientBundleDir, prefix: '/bundle/', decorateReply: false });
  await app.register(fastifyStatic, { root: assetsDir, prefix: '/assets/', decorateReply: false });
}
