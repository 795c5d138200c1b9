// kurento-client's console output reaches the logger with a level, as every other line does.

import { Writable } from 'node:stream';
import pino from 'pino';
import { routeKurentoClientOutput } from '../../server/kurento/client-output';

test('kurento-client’s reconnect chatter goes to debug, its troubles to warn, other output passes', () => {
  const lines: { level: number; msg: string; component: string }[] = [];
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
