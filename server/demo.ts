// What a demo gives the platform: where its page is, what the index says about it, and the
// Fastify plugin that serves its signaling path. Each demo exports one of these from
// demos/<name>/server/index.ts; server/demo-registry.ts lists them.

import type { FastifyInstance } from 'fastify';

export interface Demo {
  /** The demo's folder under demos/, which also names its browser bundle. */
  name: string;
  /** The page's URL; demos/<name>/index.html is served there. */
  page: string;
  title: string;
  /** One sentence for the index. */
  summary: string;
  /** Its signaling path(s) and routes; a demo built on platform routes alone has none. */
  routes?: (app: FastifyInstance) => Promise<void>;
  /** A media server module beyond KMS's own that it needs: its name in getInfo, and what to install. */
  needsModule?: { name: string; install: string };
}
