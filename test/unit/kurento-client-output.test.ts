// kurento-client's console output reaches the logger with a level, as every other line does.

import { Writable } from 'node:stream';
import pino from 'pino';
import { EventEmitter } from 'node:events';
import { routeKurentoClientOutput } from '../../server/kurento/client-output';
import { WebRtcEndpoint } from '../../server/kurento/client';

const lines: { level: number; msg: string; component: string; objectId?: string }[] = [];

test('kurento-client’s reconnect chatter goes to debug, its troubles to warn, other output passes', () => {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  // What reaches the console itself, once routing is in place.
  const passed: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => void passed.push(args.join(' '));
  routeKurentoClientOutput(pino({ level: 'debug' }, sink));
  console.log('reconnect to server', 2, 400, 'abc');
  console.log('Server did not respond to ping message 3.');
  console.warn("Unknown object id 'x'", { method: 'onEvent' });
  console.trace(new Error('Request has timed out'));
  console.log('untouched');
  console.log = original;
  expect(lines).toEqual([
    expect.objectContaining({ level: 20, component: 'kurento-client', msg: 'reconnect to server 2 400 abc' }),
    expect.objectContaining({ level: 40, msg: 'Server did not respond to ping message 3.' }),
    expect.objectContaining({ level: 40, msg: "Unknown object id 'x' { method: 'onEvent' }" }),
    expect.objectContaining({
      level: 40,
      msg: 'a request without a callback failed',
      err: expect.objectContaining({ message: 'Request has timed out' }),
    }),
  ]);
  expect(passed).toEqual(['untouched']);
});

test('a media object’s error event (a failed subscription) is logged, not thrown', () => {
  lines.length = 0;
  // kurento-client's object, as it emits when subscribing to IceCandidateFound times out.
  const raw = Object.assign(new EventEmitter(), { id: 'pipeline/endpoint' });
  new WebRtcEndpoint(raw as unknown as ConstructorParameters<typeof WebRtcEndpoint>[0]);
  expect(() => raw.emit('error', new Error('Request has timed out'))).not.toThrow();
  expect(lines).toEqual([
    expect.objectContaining({ level: 40, msg: 'a media object reported an error', objectId: 'pipeline/endpoint' }),
  ]);
});
