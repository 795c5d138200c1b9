// The demo pages (demos/) at /, and the browser bundle (dist/client) at /bundle/.

import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { clientBundleDir, demosDir } from '../util/paths';

export async function staticRoutes(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, { root: demosDir, prefix: '/', extensions: ['html'] });
  await app.register(fastifyStatic, { root: clientBundleDir, prefix: '/bundle/', decorateReply: false });
}
