// The engine child runs GStreamer helpers and fetches URLs for its clients, so it must not
// hold the app's secrets: it gets the system's basics and its own ENGINE_* settings only.

import { readFile } from 'node:fs/promises';
import pino from 'pino';
import { EngineProcess } from '../../server/kurento/engine-launcher';

test("the engine child's environment has none of the app's secrets", async () => {
  const saved = { ...process.env };
  Object.assign(process.env, {
    API_TOKEN: 'api-secret-in-env',
    MONGODB_URL: 'mongodb://user:mongo-secret@127.0.0.1:1/db',
    TURN_SECRET: 'turn-secret-in-env',
    ENGINE_SESSION_TIMEOUT: '61',
  });
  let engine: EngineProcess | undefined;
  try {
    engine = await EngineProcess.start(pino({ level: 'silent' }), { env: { ENGINE_MEDIA_DIR: '/tmp' } });
    const environ = (await readFile(`/proc/${engine.pid}/environ`, 'utf8')).split('\0');
    const names = environ.map((entry) => entry.split('=')[0]);
    expect(names).not.toEqual(expect.arrayContaining(['API_TOKEN']));
    expect(environ.join('\n')).not.toMatch(/api-secret|mongo-secret|turn-secret/);
    // What it needs still arrives.
    expect(environ).toEqual(expect.arrayContaining(['ENGINE_SESSION_TIMEOUT=61', 'ENGINE_MEDIA_DIR=/tmp']));
    expect(names).toContain('PATH');
  } finally {
    process.env = saved;
    await engine?.stop();
  }
});
