// The configuration is checked at start-up; a bad value names its variable.

import { ConfigError, loadConfig, redactConfig } from '../../server/config';

describe('configuration', () => {
  test('defaults suit a laptop: loopback, port 8080, the embedded engine', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ HOST: '127.0.0.1', PORT: 8080, HTTPS: false, LOG_LEVEL: 'info' });
    expect(config.kmsUrls).toEqual([]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  test('KMS_URL may name several media servers', () => {
    expect(loadConfig({ KMS_URL: 'ws://a:8888/kurento,ws://b:8888/kurento' }).kmsUrls).toEqual([
      'ws://a:8888/kurento',
      'ws://b:8888/kurento',
    ]);
  });

  test.each([
    [{ PORT: 'eighty' }, /^PORT/],
    [{ PORT: '70000' }, /^PORT/],
    [{ HTTPS: 'maybe' }, /^HTTPS/],
    [{ KMS_URL: 'http://kms:8888' }, /^KMS_URL/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL/],
    [{ ENGINE_MIN_PORT: '40000' }, /ENGINE_MIN_PORT and ENGINE_MAX_PORT/],
    [{ ENGINE_EXTERNAL_IPV4: 'not-an-ip' }, /^ENGINE_EXTERNAL_IPV4/],
    [{ ENGINE_EXTERNAL_IPV6: '10.0.0.1' }, /^ENGINE_EXTERNAL_IPV6/],
    [{ HTTPS: 'true', TLS_CERT: '/tmp/cert.pem' }, /TLS_CERT and TLS_KEY/],
  ])('%j is refused, naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  test('secrets are masked when the config is logged', () => {
    const config = loadConfig({
      ENGINE_TURN_URL: 'user:secret@turn.example:3478',
      KMS_URL: 'ws://kms:8888/kurento?access_token=abc',
    });
    const logged = JSON.stringify(redactConfig(config));
    expect(logged).not.toContain('secret');
    expect(logged).not.toContain('abc');
  });
});
