// docker/compose.yml and kms-config/ against the app's own configuration: every service has
// a health check and the app waits for the others to be healthy; the app's environment is
// one the app accepts; kms-config/ is what `npm run kms-config` writes from that same
// environment (ports, control socket); the media volume sits at MEDIA_DIR in the app and at
// KMS_MEDIA_DIR in KMS; KMS is built on the official image with kms-chroma; coturn listens
// where TURN_URL points and shares the app's secret.
// `docker compose config` checks the file too, where the Docker CLI is (it needs no engine).

import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../server/config';
import { projectRoot } from '../../server/util/paths';
import { KMS_CONFIG_DIR, kmsConfigFiles, staleKmsConfig } from '../../scripts/kms-config';
import { kmsBaseImage } from '../helpers/docker';

interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

const COMPOSE = join(projectRoot, 'docker', 'compose.yml');
const compose = parse(readFileSync(COMPOSE, 'utf8'), { merge: true }) as { services: Record<string, Service> };
const { app, kms, coturn } = compose.services as Record<'app' | 'kms' | 'coturn' | 'mongo', Service>;

/** What an operator sets when starting the stack (the ${…} the file requires). */
const OPERATOR = { EXTERNAL_IP: '203.0.113.10', TURN_SECRET: 'turn-secret-1', API_TOKEN: 'api-token-1', PUBLIC_HOSTNAMES: '' };

/** The app's environment as compose hands it over, ${VAR…} filled from the operator's. */
function appEnvironment(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(app.environment!).map(([k, v]) => [
      k,
      String(v).replace(/\$\{(\w+)[^}]*\}/g, (_m, name: keyof typeof OPERATOR) => OPERATOR[name] ?? ''),
    ]),
  );
}

/** `volume:/path` mounts of a service, as target path by volume name. */
const mounts = (service: Service): Record<string, string> =>
  Object.fromEntries(service.volumes!.map((v) => v.split(':').slice(0, 2) as [string, string]));

describe('docker/compose.yml', () => {
  test('every service has a health check, and the app starts once the others are healthy', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      // Named, so a failure says which service lacks one.
      expect(`${name}: ${service.healthcheck?.test?.join(' ') || 'no health check'}`).not.toMatch(/no health check$/);
    }
    const others = Object.keys(compose.services).filter((n) => n !== 'app');
    expect(Object.keys(app.depends_on!).sort()).toEqual(others.sort());
    for (const name of others) expect(app.depends_on![name]).toEqual({ condition: 'service_healthy' });
  });

  test('the app’s environment is one the app accepts, with a media server, MongoDB, TURN and a token', () => {
    const config = loadConfig(appEnvironment());
    expect(config.kmsUrls).toEqual(['ws://127.0.0.1:8888/kurento']);
    expect(config.MONGODB_URL).toMatch(/^mongodb:\/\//);
    expect(config.TURN_URL).toBe('turn:203.0.113.10:3478?transport=udp');
    expect(config.TURN_SECRET).toBe(OPERATOR.TURN_SECRET);
    expect(config.API_TOKEN).toBe(OPERATOR.API_TOKEN);
    expect(config.HOST).toBe('0.0.0.0');
  });

  test('kms-config/ is what `npm run kms-config` writes from the app’s environment, and KMS mounts it', () => {
    const config = loadConfig(appEnvironment());
    expect(staleKmsConfig(config)).toEqual([]);
    // The control socket KMS listens on is the one KMS_URL names; the ports are KMS_MIN/MAX_PORT.
    const conf = JSON.parse(kmsConfigFiles(config)['kurento.conf.json']!) as {
      mediaServer: { net: { websocket: { port: number; path: string } } };
    };
    expect(conf.mediaServer.net.websocket).toMatchObject({ port: 8888, path: 'kurento' });
    expect(readFileSync(join(KMS_CONFIG_DIR, 'BaseRtpEndpoint.conf.ini'), 'utf8')).toMatch(
      new RegExp(`^minPort=${config.KMS_MIN_PORT}\nmaxPort=${config.KMS_MAX_PORT}$`, 'm'),
    );
    const mounted = mounts(kms);
    expect(mounted['../kms-config/kurento.conf.json']).toBe('/etc/kurento/kurento.conf.json');
    for (const file of ['BaseRtpEndpoint.conf.ini', 'WebRtcEndpoint.conf.ini']) {
      expect(mounted[`../kms-config/${file}`]).toBe(`/etc/kurento/modules/kurento/${file}`);
    }
    // KMS's image rewrites its files from KMS_* variables: with the files mounted read-only,
    // those variables must not reach it.
    expect(Object.keys(kms.environment ?? {}).filter((k) => k.startsWith('KMS_'))).toEqual([]);
  });

  test('KMS is the official KMS 7 image built in docker/kms, which fails unless kms-chroma loads', () => {
    expect(kms.build).toEqual({ context: 'kms' });
    expect(kmsBaseImage()).toMatch(/^kurento\/kurento-media-server:7\.\d+\.\d+$/);
    // The tag says which KMS it is built on.
    expect(kms.image).toBe(`kurento-stage/kms:${kmsBaseImage().split(':')[1]}`);
    const dockerfile = readFileSync(join(projectRoot, 'docker', 'kms', 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/apt-get install [^\n]*kurento-module-chroma/);
    expect(dockerfile).toMatch(/kurento-media-server --list [^\n]*chromafilter[^]*exit 1/);
  });

  test('the media volume is at MEDIA_DIR in the app and at KMS_MEDIA_DIR in KMS', () => {
    const config = loadConfig(appEnvironment());
    expect(mounts(app).media).toBe(config.MEDIA_DIR);
    expect(mounts(kms).media).toBe(config.KMS_MEDIA_DIR);
  });

  test('coturn listens where TURN_URL points, checking the secret the app signs with', () => {
    const config = loadConfig(appEnvironment());
    const port = /:(\d+)\?/.exec(config.TURN_URL!)![1];
    expect(coturn.command).toContain(`--listening-port=${port}`);
    expect(coturn.command).toContain('--use-auth-secret');
    const secret = coturn.command!.find((a) => a.startsWith('--static-auth-secret='))!;
    expect(secret).toMatch(/^--static-auth-secret=\$\{TURN_SECRET\b/);
    expect(app.environment!.TURN_SECRET).toMatch(/^\$\{TURN_SECRET\b/);
  });

  const dockerCli = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0;
  (dockerCli ? test : test.skip)(
    `docker compose config accepts the file${dockerCli ? '' : ' (skipped: no Docker CLI with the compose plugin here)'}`,
    () => {
      execFileSync('docker', ['compose', '-f', COMPOSE, 'config', '--quiet'], { env: { ...process.env, ...OPERATOR } });
    },
  );
});
