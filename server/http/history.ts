// The read-only REST API over the store: call history, rooms, and a session's stats
// snapshots. Every list is paginated (`limit` 1–100, default 20; `offset`), with the query
// checked by schema.

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors';

const PageQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});
type PageQuery = Static<typeof PageQuery>;
const SessionParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) });

export async function historyRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: PageQuery }>(
    '/api/calls',
    { schema: { summary: 'Calls, broadcasts and group-call sessions, newest first', tags: ['history'], querystring: PageQuery } },
    (request) => app.store.listCalls(request.query),
  );

  app.get<{ Querystring: PageQuery }>(
    '/api/rooms',
    {
      schema: {
        summary: 'Group-call rooms with each participant’s join and leave times',
        tags: ['history'],
        querystring: PageQuery,
      },
    },
    (request) => app.store.listRooms(request.query),
  );

  app.get<{ Querystring: PageQuery; Params: Static<typeof SessionParams> }>(
    '/api/sessions/:id/stats',
    {
      schema: {
        summary: 'A call’s stats snapshots (404 for a session that never was)',
        tags: ['history'],
        querystring: PageQuery,
        params: SessionParams,
      },
    },
    async (request) => {
      // A session that never was is not one with no stats yet.
      if (!(await app.store.getCall(request.params.id))) {
        throw new AppError('NOT_FOUND', `there is no session ${request.params.id}`);
      }
      return app.store.listStats(request.params.id, request.query);
    },
  );
}
