// Every REST error has one shape, {error, code, message}, with a stable code: a route that
// does not exist, a query or path the schema refuses, an id that names nothing, and the
// app's own coded errors. A client's mistake is a 4xx that says what was wrong, never
// INTERNAL; a failure of ours is INTERNAL and says nothing more.

import { httpError } from '../../server/errors';
import { startApp, type RunningApp } from '../helpers/app';

describe('REST errors', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp();
  });

  afterAll(async () => {
    await running?.close();
  });

  const get = async (url: string, method: 'GET' | 'DELETE' = 'GET') => {
    const res = await running.app.inject({ method, url });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };

  test.each([
    ['a route that does not exist', '/api/nope', 404, 'NOT_FOUND', 4040, /there is no GET \/api\/nope/],
    ['a page that does not exist', '/nope.html?x=1', 404, 'NOT_FOUND', 4040, /there is no GET \/nope\.html$/],
    ['a limit the schema refuses', '/api/calls?limit=0', 400, 'BAD_REQUEST', 4006, /limit/],
    ['an offset that is not a number', '/api/rooms?offset=ten', 400, 'BAD_REQUEST', 4006, /offset/],
    ['a recording id of the wrong form', '/api/recordings/not%20an%20id', 400, 'BAD_REQUEST', 4006, /id/],
    ['a recording that does not exist', '/api/recordings/00000000-0000-4000-8000-000000000000', 404, 'NOT_FOUND', 4040, /./],
    [
      'a session that does not exist',
      '/api/sessions/no-such-session/stats',
      404,
      'NOT_FOUND',
      4040,
      /no session no-such-session/,
    ],
  ])('%s: %s → %i %s', async (_what, url, status, error, code, message) => {
    const res = await get(url);
    expect(res.status).toBe(status);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'error', 'message']);
    expect(res.body).toMatchObject({ error, code });
    expect(res.body.message).toMatch(message);
  });

  test('deleting a recording that does not exist: 404 in the same shape', async () => {
    const res = await get('/api/recordings/00000000-0000-4000-8000-000000000000', 'DELETE');
    expect(res).toMatchObject({ status: 404, body: { error: 'NOT_FOUND', code: 4040 } });
  });

  test('a session that exists answers its stats, even none yet', async () => {
    const id = await running.app.store.startCall({ kind: 'one2one', participants: ['ada', 'bob'], startedAt: new Date() });
    const res = await get(`/api/sessions/${id}/stats`);
    expect(res).toMatchObject({ status: 200, body: { items: [], total: 0 } });
  });

  test('Fastify’s own refusals keep their status under a client-error code; our failures are INTERNAL and quiet', () => {
    const tooLarge = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(httpError(tooLarge).toJSON()).toEqual({
      error: 'TOO_LARGE',
      code: 4130,
      message: 'The request body is too large: Request body is too large',
    });
    const teapot = httpError(Object.assign(new Error('short and stout'), { statusCode: 418 }));
    expect([teapot.status, teapot.reason]).toEqual([418, 'BAD_REQUEST']);
    const ours = httpError(new Error('secret path /var/lib/x exploded'));
    expect([ours.status, ours.toJSON()]).toEqual([500, { error: 'INTERNAL', code: 5000, message: 'Internal error' }]);
  });
});
