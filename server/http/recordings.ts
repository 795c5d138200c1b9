// The media repository's REST API: list (newest first, paginated), read, stream with HTTP
// range requests (so a <video> can seek), thumbnail, and delete. With API_TOKEN set, reading
// and deleting alike need it (http/access.ts guards every route).

import fastifyStatic from '@fastify/static';
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors';
import type { RecordingView } from '../media/repository';

const PageQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
});
const IdParams = Type.Object({ id: Type.String({ pattern: '^[0-9a-f-]{36}$' }) });
const MediaQuery = Type.Object({ download: Type.Optional(Type.Boolean()) });
type IdParams = Static<typeof IdParams>;

const CONTENT_TYPES: Record<string, string> = { webm: 'video/webm', mkv: 'video/x-matroska', mp4: 'video/mp4' };

export async function recordingsRoutes(app: FastifyInstance): Promise<void> {
  const repo = app.recordings;
  // Only for reply.sendFile (ranges, HEAD, caching); no route serves MEDIA_DIR by path.
  await app.register(fastifyStatic, { root: repo.dir, serve: false });

  const find = async (request: FastifyRequest<{ Params: IdParams }>): Promise<RecordingView> => {
    const recording = await repo.get(request.params.id);
    if (!recording) throw new AppError('NOT_FOUND', `No recording ${request.params.id}`);
    return recording;
  };

  app.get<{ Querystring: Static<typeof PageQuery> }>(
    '/api/recordings',
    { schema: { summary: 'Recordings, newest first', tags: ['recordings'], querystring: PageQuery } },
    (request) => repo.list(request.query),
  );

  app.get<{ Params: IdParams }>(
    '/api/recordings/:id',
    { schema: { summary: 'One recording’s metadata', tags: ['recordings'], params: IdParams } },
    find,
  );

  app.get<{ Params: IdParams; Querystring: Static<typeof MediaQuery> }>(
    '/api/recordings/:id/media',
    {
      schema: {
        summary: 'The recording’s file, with HTTP range requests',
        tags: ['recordings'],
        params: IdParams,
        querystring: MediaQuery,
      },
    },
    async (request, reply: FastifyReply) => {
      const recording = await find(request);
      if (recording.missing) throw new AppError('NOT_FOUND', `The file of recording ${recording.id} is missing`);
      const ext = recording.file.split('.').pop() ?? '';
      reply.header('content-type', CONTENT_TYPES[ext] ?? 'application/octet-stream');
      if (request.query.download) reply.header('content-disposition', `attachment; filename="${recording.file}"`);
      // @fastify/static answers Range with 206 and the exact bytes, and HEAD, and caching.
      return reply.sendFile(recording.file, repo.dir, { contentType: false });
    },
  );

  app.get<{ Params: IdParams }>(
    '/api/recordings/:id/thumbnail',
    { schema: { summary: 'The recording’s thumbnail (JPEG)', tags: ['recordings'], params: IdParams } },
    async (request, reply) => {
      const recording = await find(request);
      if (!recording.thumbnail) throw new AppError('NOT_FOUND', `Recording ${recording.id} has no thumbnail`);
      return reply.sendFile(recording.thumbnail, repo.dir);
    },
  );

  app.delete<{ Params: IdParams }>(
    '/api/recordings/:id',
    { schema: { summary: 'Deletes a recording: file and metadata', tags: ['recordings'], params: IdParams } },
    async (request, reply) => {
      if (!(await repo.delete(request.params.id))) throw new AppError('NOT_FOUND', `No recording ${request.params.id}`);
      return reply.code(204).send();
    },
  );
}
