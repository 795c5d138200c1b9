// GET /api/ice-servers: what a page puts in its RTCPeerConnection before it builds one:
// the STUN server, and a TURN credential of its own that expires (TURN_TTL_SECONDS). Pages
// ask for each new connection, so a page left open for days never offers a stale one.
// Behind the access check like every API route; never cached, never logged.

import type { FastifyInstance } from 'fastify';

export async function iceServerRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/ice-servers',
    { schema: { summary: 'A page’s ICE configuration: STUN, and a TURN credential of its own', tags: ['media'] } },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return app.ice.forBrowser();
    },
  );
}
