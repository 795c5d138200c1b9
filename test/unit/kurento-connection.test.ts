// kurento-client through our reconnect-ws drop-in: it connects, it reconnects after the
// media server's WebSocket drops, and a media server that is down never takes us down.

import pino from 'pino';
import { startEngine, type Engine } from '../../engine/engine';
import { loadEngineConfig } from '../../engine/config';
import { MediaServerConnection } from '../../server/kurento/client';
import { eventually, freePort } from '../helpers/app';

const silent = pino({ level: 'silent' });

/** Waits for the connection to reach `state`; returns the state it ended in. */
function untilState(connection: MediaServerConnection, state: string, timeoutMs = 10_000): Promise<string> {
  return eventually(
    () => connection.state,
    (s) => s === state,
    timeoutMs,
  );
}

function engineOn(port: number): Promise<Engine> {
  return startEngine(loadEngineConfig(['--port', String(port), '--session-timeout', '30']), silent);
}

describe('kurento-client with the reconnect-ws drop-in', () => {
  test('connects to the media server and creates a pipeline', async () => {
    const engine = await engineOn(0);
    const connection = new MediaServerConnection(`ws://127.0.0.1:${engine.port}/kurento`, silent);
    try {
      await untilState(connection, 'ready');
      const pipeline = await connection.createPipeline();
      expect(await connection.pipelineIds()).toEqual([pipeline.id]);
      await pipeline.release();
      expect(await connection.pipelineIds()).toEqual([]);
    } finally {
      await connection.close();
      await engine.close();
    }
  });

  test('an error of the socket (the registry reconnect-core re-emits them) is logged, not thrown', async () => {
    const engine = await engineOn(0);
    const connection = new MediaServerConnection(`ws://127.0.0.1:${engine.port}/kurento`, silent);
    try {
      await untilState(connection, 'ready');
      await connection.close();
      // What the registry's reconnect-core does with a request written after close.
      const re = (connection as unknown as { client: { _re: NodeJS.EventEmitter } }).client._re;
      expect(() => re.emit('error', new Error('write after end'))).not.toThrow();
    } finally {
      await connection.close();
      await engine.close();
    }
  });

  test('reconnects after the WebSocket drops, and keeps its session and objects', async () => {
    const engine = await engineOn(0);
    const url = `ws://127.0.0.1:${engine.port}/kurento`;
    const connection = new MediaServerConnection(url, silent);
    const states: string[] = [];
    connection.on('state', (s) => states.push(s));
    let lost = false;
    connection.on('objectsLost', () => (lost = true));
    try {
      await untilState(connection, 'ready');
      const pipeline = await connection.createPipeline();
      // Drop every client socket on the media server side, as a network blip would.
      engine.dropConnections();
      await eventually(
        () => states,
        (s) => s.includes('down'),
      );
      const back = await untilState(connection, 'ready', 15_000);
      expect(back).toBe('ready');
      expect(lost).toBe(false);
      expect(await connection.pipelineIds()).toEqual([pipeline.id]);
      await pipeline.release();
    } finally {
      await connection.close();
      await engine.close();
    }
  });

  test('a media server that is down at start-up is reported, never thrown, and found when it comes up', async () => {
    const port = await freePort();
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown): void => void unhandled.push(err);
    process.on('uncaughtException', onUnhandled);
    process.on('unhandledRejection', onUnhandled);
    const connection = new MediaServerConnection(`ws://127.0.0.1:${port}/kurento`, silent);
    try {
      await untilState(connection, 'down');
      expect(connection.ready).toBe(false);
      await expect(connection.createPipeline()).rejects.toThrow('not reachable');

      const engine = await engineOn(port);
      try {
        expect(await untilState(connection, 'ready', 15_000)).toBe('ready');
        const pipeline = await connection.createPipeline();
        await pipeline.release();
      } finally {
        await engine.close();
      }
      // And it goes away again: reported as down, still no exception.
      expect(await untilState(connection, 'down')).toBe('down');
      expect(unhandled).toEqual([]);
    } finally {
      await connection.close();
      process.off('uncaughtException', onUnhandled);
      process.off('unhandledRejection', onUnhandled);
    }
  });

  test('a media server that restarts without our session reports the objects as lost', async () => {
    const first = await engineOn(0);
    const port = first.port;
    const connection = new MediaServerConnection(`ws://127.0.0.1:${port}/kurento`, silent);
    let lost = false;
    connection.on('objectsLost', () => (lost = true));
    try {
      await untilState(connection, 'ready');
      await connection.createPipeline();
      await first.close();
      const second = await engineOn(port);
      try {
        expect(
          await eventually(
            () => lost,
            (l) => l,
            15_000,
          ),
        ).toBe(true);
        expect(connection.state).toBe('ready');
      } finally {
        await second.close();
      }
    } finally {
      await connection.close();
    }
  });
});
