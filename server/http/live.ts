// The operator's live view and actions: who is in which session now, and on which media
// server (GET /api/sessions/live, GET /api/rooms/live), beside the store's history; and the
// admin actions, ending a session or removing one participant, whose users are told in words.
//
// Admin actions are behind API_TOKEN like the rest of the API. A server shared on the network
// with no token at all (ALLOW_ANONYMOUS) refuses them: any visitor could end others' calls.

import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { isLoopbackHost } from '../config';
import { AppError } from '../errors';
import type { DemoSession } from '../sessions/session-registry';

const SessionParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const ParticipantParams = Type.Object({
  id: Type.String({ format: 'uuid' }),
  name: Type.String({ minLength: 1, maxLength: 200 }),
});

export async function liveRoutes(app: FastifyInstance): Promise<void> {
  app.get(
    '/api/sessions/live',
    { schema: { summary: 'Every session holding media now: its people, room and media server', tags: ['live'] } },
    async () => ({ sessions: app.sessions.live() }),
  );

  app.get(
    '/api/rooms/live',
    { schema: { summary: 'The live sessions that have a room (broadcasts, group calls)', tags: ['live'] } },
    async () => ({ rooms: app.sessions.live().filter((s) => s.room !== undefined) }),
  );

  const adminSession = (id: string): DemoSession => {
    if (!app.config.API_TOKEN && !isLoopbackHost(app.config.HOST)) throw new AppError('ADMIN_NEEDS_TOKEN');
    const session = app.sessions.find(id);
    if (!session) throw new AppError('NOT_FOUND', `there is no live session ${id}`);
    return session;
  };

  app.delete<{ Params: Static<typeof SessionParams> }>(
    '/api/sessions/live/:id',
    { schema: { summary: 'Ends a live session; its users are told', tags: ['admin'], params: SessionParams } },
    async (request, reply) => {
      const session = adminSession(request.params.id);
      request.log.info({ session: request.params.id, demo: session.demo }, 'session ended by the operator');
      await session.endByOperator();
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: Static<typeof ParticipantParams> }>(
    '/api/sessions/live/:id/participants/:name',
    {
      schema: {
        summary: 'Removes one participant from a live session; they are told',
        tags: ['admin'],
        params: ParticipantParams,
      },
    },
    async (request, reply) => {
      const { id, name } = request.params;
      const session = adminSession(id);
      if (!(await session.removeParticipant(name))) {
        throw new AppError('NOT_FOUND', `there is no participant ${name} in session ${id}`);
      }
      request.log.info({ session: id, demo: session.demo, participant: name }, 'participant removed by the operator');
      return reply.code(204).send();
    },
  );
}
