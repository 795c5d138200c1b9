// The demo pages (demos/) at /, the browser bundle (dist/client) at /bundle/, and the
// demos' images (client/assets) at /assets/.

import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { assetsDir, clientBundleDir, demosDir } from '../util/paths';

export async function staticRoutes(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, { root: demosDir, prefix: '/', extensions: ['html'] });
  await app.register(fastifyStatic, { root: clientBundleDir, prefix: '/bundle/', decorateReply: false });
  await app.register(fastifyStatic, { root: assetsDir, prefix: '/assets/', decorateReply: false });
}
