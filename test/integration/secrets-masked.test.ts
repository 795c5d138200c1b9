// Secrets never reach the logs or the status pages: the server runs with every kind of secret
// it takes (a token, TURN credentials and the secret that signs them, the webhooks' signing key, a media server URL carrying a user, a password and an
// access token), logging at debug, and nothing it prints or serves contains any of them.

import { eventually, freePort } from '../helpers/app';
import { startServer } from '../helpers/server-process';

const SECRETS = [
  'pw-secret-1',
  'tok-secret-2',
  'api-secret-3',
  'turn-secret-4',
  'turn-shared-secret-5',
  'webhook-secret-6-signs',
];

test('secrets are masked in the logs, /api/status, /readyz and the index page', async () => {
  const kmsPort = await freePort(); // nothing listens: the server logs its attempts to reach it
  const server = await startServer({
    LOG_LEVEL: 'debug',
    KMS_URL: `ws://ada:pw-secret-1@127.0.0.1:${kmsPort}/kurento?access_token=tok-secret-2`,
    API_TOKEN: 'api-secret-3',
    ENGINE_TURN_URL: 'turner:turn-secret-4@127.0.0.1:3478',
    TURN_URL: 'turn:127.0.0.1:3478',
    TURN_SECRET: 'turn-shared-secret-5',
    WEBHOOK_URL: `http://127.0.0.1:${kmsPort}/hooks`,
    WEBHOOK_SECRET: 'webhook-secret-6-signs',
  });
  try {
    await eventually(
      () => server.lines.filter((l) => l.includes('media server connection')).length,
      (n) => n > 0,
      10_000,
      'a log line about the media server connection',
    );
    const served = await Promise.all(
      ['/api/status', '/readyz', '/'].map(async (path) =>
        (await fetch(server.url + path, { headers: { authorization: 'Bearer api-secret-3' } })).text(),
      ),
    );
    const everything = [...server.lines, ...served].join('\n');
    for (const secret of SECRETS) expect(everything).not.toContain(secret);
    // The media server is still named, so an operator can tell which one it is.
    expect(everything).toContain(`127.0.0.1:${kmsPort}/kurento`);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});
