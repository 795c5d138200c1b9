// Health and readiness, and a media server that is down: the app starts anyway, says why
// it is not ready (on /readyz and on the index page's status), and recovers by itself.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadEngineConfig } from '../../engine/config';
import { startEngine } from '../../engine/engine';
import { eventually, freePort, startApp } from '../helpers/app';
import { TestSocket } from '../helpers/ws';

describe('health and readiness', () => {
  test('with the embedded engine, /healthz and /readyz are OK and the index page is served', async () => {
    const running = await startApp();
    try {
      expect((await running.app.inject('/healthz')).json()).toEqual({ status: 'ok' });
      const ready = await eventually(
        () => running.app.inject('/readyz'),
        (r) => r.statusCode === 200,
      );
      expect(ready.json()).toMatchObject({ status: 'ready' });
      const index = await running.app.inject('/');
      expect(index.statusCode).toBe(200);
      expect(index.body).toContain('<demo-index>');
      expect((await running.app.inject('/bundle/hello-world.js')).statusCode).toBe(200);
      expect((await running.app.inject('/api/status')).json()).toMatchObject({ mediaServer: { ready: true, embedded: true } });
    } finally {
      await running.close();
    }
  });

  test('a store that is gone: /readyz answers 503 naming it, and 200 once it is back', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stage-ready-'));
    const running = await startApp({ DATA_DIR: dataDir, MEDIA_DIR: join(dataDir, 'media') });
    try {
      await eventually(
        () => running.app.inject('/readyz'),
        (r) => r.statusCode === 200,
      );
      // The volume holding the embedded store's files goes away.
      rmSync(dataDir, { recursive: true, force: true });
      const down = await running.app.inject('/readyz');
      expect(down.statusCode).toBe(503);
      expect(down.json()).toMatchObject({ reason: 'The embedded store is not reachable', store: { ready: false } });
      mkdirSync(dataDir);
      expect((await running.app.inject('/readyz')).statusCode).toBe(200);
    } finally {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a media server that is down: not ready with a reason, demos refuse in words, then it recovers', async () => {
    const port = await freePort();
    const running = await startApp({ KMS_URL: `ws://127.0.0.1:${port}/kurento` });
    try {
      const down = await eventually(
        () => running.app.inject('/readyz'),
        (r) => r.statusCode === 503,
      );
      expect(down.statusCode).toBe(503);
      expect(down.json().reason).toMatch(/No media server is reachable/);
      expect((await running.app.inject('/api/status')).json()).toMatchObject({ mediaServer: { ready: false, embedded: false } });

      const socket = await TestSocket.open(`${running.wsUrl}/helloworld`);
      socket.send({ id: 'start', sdpOffer: 'v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n' });
      expect(await socket.next()).toMatchObject({ id: 'error', reason: 'MEDIA_SERVER_UNAVAILABLE' });
      socket.close();

      const engine = await startEngine(loadEngineConfig(['--port', String(port)]), pino({ level: 'silent' }));
      try {
        const up = await eventually(
          () => running.app.inject('/readyz'),
          (r) => r.statusCode === 200,
          15_000,
        );
        expect(up.statusCode).toBe(200);
      } finally {
        await engine.close();
      }
    } finally {
      await running.close();
    }
  });
});
