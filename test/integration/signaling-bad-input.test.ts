// /helloworld under bad input: every malformed message gets a clear `error` reply (or a
// clean close when oversized), the server stays up, other sessions are unaffected, and no
// pipeline is left behind.

import { MAX_SIGNALING_FRAME_BYTES } from '../../server/app';
import { eventually, pipelinesOnMediaServer, startApp, type RunningApp } from '../helpers/app';
import { TestSocket } from '../helpers/ws';

type ErrorReply = { id: string; message: string; reason: string; code: number };

describe('hello-world signaling with bad input', () => {
  let running: RunningApp;
  let bystander: TestSocket;

  beforeAll(async () => {
    running = await startApp();
    bystander = await TestSocket.open(`${running.wsUrl}/helloworld`);
  });

  afterAll(async () => {
    bystander?.close();
    await running?.close();
  });

  afterEach(async () => {
    // The bystander's socket still works: the server answers it.
    bystander.send({ id: 'nope' });
    expect((await bystander.next<ErrorReply>()).reason).toBe('UNKNOWN_MESSAGE');
    expect(await pipelinesOnMediaServer(running.app)).toEqual([]);
  });

  const cases: [string, string | object, string, RegExp][] = [
    ['malformed JSON', '{"id": "start", ', 'BAD_JSON', /not valid JSON/],
    ['a message that is not an object', '[1,2,3]', 'BAD_MESSAGE', /JSON object/],
    ['an unknown id', { id: 'launchRockets' }, 'UNKNOWN_MESSAGE', /launchRockets.*expected one of start, onIceCandidate, stop/],
    ['a message missing its field', { id: 'start' }, 'BAD_MESSAGE', /'start' sdpOffer/],
    ['a field of the wrong type', { id: 'start', sdpOffer: 42 }, 'BAD_MESSAGE', /'start' sdpOffer/],
    [
      'an ICE candidate before start',
      { id: 'onIceCandidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host' } },
      'NOT_STARTED',
      /start one first/,
    ],
  ];

  test.each(cases)('%s gets a clear error reply', async (_name, frame, reason, message) => {
    const socket = await TestSocket.open(`${running.wsUrl}/helloworld`);
    socket.send(frame);
    const reply = await socket.next<ErrorReply>();
    expect(reply).toMatchObject({ id: 'error', reason });
    expect(reply.message).toMatch(message);
    socket.close();
  });

  test('an invalid SDP offer gets an error naming the SDP, and its pipeline is released', async () => {
    const socket = await TestSocket.open(`${running.wsUrl}/helloworld`);
    socket.send({ id: 'start', sdpOffer: 'v=0 this is not an SDP' });
    const reply = await socket.next<ErrorReply>();
    expect(reply).toMatchObject({ id: 'error', reason: 'BAD_SDP' });
    expect(reply.message).toMatch(/SDP/);
    expect(
      await eventually(
        () => pipelinesOnMediaServer(running.app),
        (p) => p.length === 0,
      ),
    ).toEqual([]);
    socket.close();
  });

  test('an oversized frame closes that socket cleanly (1009) and nothing else', async () => {
    const socket = await TestSocket.open(`${running.wsUrl}/helloworld`);
    socket.send({ id: 'start', sdpOffer: 'x'.repeat(MAX_SIGNALING_FRAME_BYTES + 1) });
    expect((await socket.closed).code).toBe(1009);
  });

  test('a flood is refused with an error, then disconnected', async () => {
    const socket = await TestSocket.open(`${running.wsUrl}/helloworld`);
    for (let i = 0; i < 400; i++) socket.send({ id: 'stop' });
    const closed = await socket.closed;
    expect(closed.code).toBe(1008);
    // Among the replies there was one telling the client to slow down.
    const replies: ErrorReply[] = [];
    for (;;) {
      const next = await socket.next<ErrorReply>(50).catch(() => undefined);
      if (!next) break;
      replies.push(next);
    }
    expect(replies.some((r) => r.reason === 'TOO_MANY_MESSAGES')).toBe(true);
  });

  test('the server is still healthy after all of it', async () => {
    const res = await running.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
  });
});
