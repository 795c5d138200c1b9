// The app's engine child is supervised for as long as the app runs: a restart that hangs past
// the ready timeout is killed and tried again, with a growing pause, until one succeeds. (It
// used to stop supervising for good after one restart took too long.)

import pino from 'pino';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually } from '../helpers/app';
import { isAlive } from '../helpers/server-process';
import { TestSocket } from '../helpers/ws';

jest.setTimeout(60_000);

test('a restart that hangs is killed and tried again until the engine is back', async () => {
  const engine = await EngineProcess.start(pino({ level: 'silent' }), { readyTimeoutMs: 3000 });
  try {
    const first = engine.pid!;
    engine.crash();
    // The supervisor starts a new child after 1 s; freeze it before it can say it is ready.
    const frozen = await eventually(
      () => engine.pid,
      (pid) => pid !== undefined && pid !== first,
      10_000,
      'a restarted child',
    );
    process.kill(frozen!, 'SIGSTOP');
    await eventually(
      () => isAlive(frozen!),
      (a) => !a,
      10_000,
      'the hung child killed at the ready timeout',
    );
    // Then another start, which is not frozen, comes up and serves.
    const back = await eventually(
      () => engine.pid,
      (pid) => pid !== undefined && pid !== frozen,
      15_000,
      'a third child',
    );
    const pong = await eventually(
      async () => {
        const socket = await TestSocket.open(engine.url).catch(() => undefined);
        if (!socket) return undefined;
        socket.send({ jsonrpc: '2.0', id: 1, method: 'ping', params: {} });
        const reply = await socket.next<{ result?: { value?: string } }>();
        socket.close();
        return reply.result?.value;
      },
      (v) => v === 'pong',
      15_000,
      'the engine answering again',
    );
    expect(pong).toBe('pong');
    expect(isAlive(back!)).toBe(true);
  } finally {
    await engine.stop();
  }
});
