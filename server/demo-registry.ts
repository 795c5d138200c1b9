// The one place the platform names the demos: each is a folder under demos/, and adding one
// means adding its folder and one line here. The registry serves each demo's page at its URL,
// registers its signaling routes, and tells the index page what there is (/api/demos).

import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { join } from 'node:path';
import { chromaDemo } from '../demos/chroma/server';
import { effectsDemo } from '../demos/effects/server';
import { groupCallDemo } from '../demos/group-call/server';
import { helloWorldDemo } from '../demos/hello-world/server';
import { magicMirrorDemo } from '../demos/magic-mirror/server';
import { one2manyDemo } from '../demos/one2many/server';
import { one2oneDemo } from '../demos/one2one/server';
import { playerDemo } from '../demos/player/server';
import { recordingDemo } from '../demos/recording/server';
import { recordingsDemo } from '../demos/recordings/server';
import type { Demo } from './demo';
import { demosDir } from './util/paths';

/** In the index's order. */
export const DEMOS: readonly Demo[] = [
  helloWorldDemo,
  one2oneDemo,
  one2manyDemo,
  groupCallDemo,
  recordingDemo,
  playerDemo,
  magicMirrorDemo,
  chromaDemo,
  effectsDemo,
  recordingsDemo,
];

export async function demoRoutes(app: FastifyInstance): Promise<void> {
  await app.register(fastifyStatic, { root: demosDir, serve: false });
  for (const demo of DEMOS) {
    if (demo.routes) await app.register(demo.routes);
    app.get(demo.page, (_request, reply) => reply.sendFile('index.html', join(demosDir, demo.name)));
  }
  app.get('/api/demos', { schema: { summary: 'The demos, in the index’s order', tags: ['media'] } }, async () => ({
    demos: DEMOS.map(({ name, page, title, summary, needsModule }) => ({
      name,
      page,
      title,
      summary,
      // Said before anyone tries: no reachable media server has the module (getInfo).
      ...(needsModule && app.media.lacksModule(needsModule.name)
        ? { unavailable: `The media server lacks the ${needsModule.install} module this demo needs` }
        : {}),
    })),
  }));
}
