// The application server's configuration: read once from the environment, checked against
// a schema, frozen. A bad value stops start-up with a message that names the variable.
// Secrets are masked whenever the config is logged.

import { randomUUID } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { hostname } from 'node:os';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Port = Type.Integer({ minimum: 0, maximum: 65535 });

export const ConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  PORT: Port,
  HTTPS: Type.Boolean({ default: false }),
  TLS_CERT: Type.Optional(Type.String({ minLength: 1 })),
  TLS_KEY: Type.Optional(Type.String({ minLength: 1 })),
  KMS_URL: Type.Optional(Type.String({ pattern: '^wss?://[^,\\s]+(,wss?://[^,\\s]+)*$' })),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  ENGINE_MIN_PORT: Type.Optional(Port),
  ENGINE_MAX_PORT: Type.Optional(Port),
  ENGINE_ADDRESSES: Type.Optional(Type.String()),
  ENGINE_EXTERNAL_IPV4: Type.Optional(Type.String({ format: 'ipv4' })),
  ENGINE_EXTERNAL_IPV6: Type.Optional(Type.String()),
  ENGINE_STUN: Type.Optional(Type.String({ pattern: '^[^:\\s]+(:\\d+)?$' })),
  ENGINE_TURN_URL: Type.Optional(Type.String()),
  // A real KMS's own settings, named as the kurento/kurento-media-server image names them:
  // `npm run kms-config` writes them into kms-config/, which the compose file mounts.
  /** KMS's UDP port range for media (BaseRtpEndpoint minPort/maxPort). */
  KMS_MIN_PORT: Type.Integer({ default: 40000, minimum: 1024, maximum: 65535 }),
  KMS_MAX_PORT: Type.Integer({ default: 40999, minimum: 1024, maximum: 65535 }),
  /** The public addresses KMS announces in place of its own (WebRtcEndpoint externalIPv4/IPv6). */
  KMS_EXTERNAL_IPV4: Type.Optional(Type.String({ format: 'ipv4' })),
  KMS_EXTERNAL_IPV6: Type.Optional(Type.String()),
  /** The network interfaces KMS gathers candidates on, by name (WebRtcEndpoint networkInterfaces). */
  KMS_NETWORK_INTERFACES: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]+(,[A-Za-z0-9_.:-]+)*$' })),
  /** A STUN server for browsers, e.g. stun:stun.example.com:3478. */
  STUN_URL: Type.Optional(Type.String({ pattern: '^stuns?:[^,\\s]+$' })),
  /** TURN servers for browsers and media servers (comma-separated), e.g. turn:203.0.113.5:3478?transport=udp. */
  TURN_URL: Type.Optional(Type.String({ pattern: '^turns?:[^,\\s]+(,turns?:[^,\\s]+)*$' })),
  /** The secret shared with coturn (static-auth-secret, use-auth-secret) that signs TURN credentials. */
  TURN_SECRET: Type.Optional(Type.String({ minLength: 8 })),
  /** How long a TURN credential works; a relayed call cannot outlive its credential. */
  TURN_TTL_SECONDS: Type.Integer({ default: 86_400, minimum: 60, maximum: 7 * 86_400 }),
  /** 'relay' makes every browser use TURN only (to check that relaying works). */
  ICE_TRANSPORT_POLICY: Type.Union([Type.Literal('all'), Type.Literal('relay')], { default: 'all' }),
  /** How often each media server's load is read (ServerManager), seconds. */
  KMS_POLL_SECONDS: Type.Number({ default: 5, minimum: 0.5, maximum: 300 }),
  /** A media server unreachable this long is lost: its sessions end. A shorter drop resumes. */
  KMS_LOST_AFTER_SECONDS: Type.Number({ default: 15, minimum: 1, maximum: 3600 }),
  /**
   * This application's name on the media servers, tagged on its pipelines: after a crash it
   * releases those it left behind. Default: host name and PORT (stable across restarts).
   */
  INSTANCE_ID: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$' })),
  MONGODB_URL: Type.Optional(Type.String({ pattern: '^mongodb(\\+srv)?://' })),
  DATA_DIR: Type.String({ default: './data', minLength: 1 }),
  STATS_INTERVAL_SECONDS: Type.Number({ default: 10, minimum: 0.5, maximum: 3600 }),
  /** Call history older than this many days is deleted (calls still open are kept). */
  HISTORY_MAX_DAYS: Type.Number({ default: 90, minimum: 0.001, maximum: 36_500 }),
  /** At most this many ended calls are kept, the newest. */
  HISTORY_MAX_CALLS: Type.Integer({ default: 10_000, minimum: 1, maximum: 100_000_000 }),
  MEDIA_DIR: Type.String({ default: './media', minLength: 1 }),
  /** Where the media server sees MEDIA_DIR (a shared Docker volume mounted elsewhere in KMS). */
  KMS_MEDIA_DIR: Type.Optional(Type.String({ pattern: '^/' })),
  API_TOKEN: Type.Optional(Type.String({ minLength: 8 })),
  /** Other origins whose pages may open the demos' WebSockets (same-origin always may). */
  ALLOWED_ORIGINS: Type.Optional(Type.String()),
  /** Host names the server answers to besides loopback names and IP addresses (DNS rebinding). */
  PUBLIC_HOSTNAMES: Type.Optional(Type.String()),
  /** Let player URLs and images reach loopback, private and link-local addresses. */
  ALLOW_PRIVATE_URLS: Type.Boolean({ default: false }),
  /** Open demo sockets one address may hold; each holds at most one session. */
  MAX_SOCKETS_PER_IP: Type.Integer({ default: 32, minimum: 1, maximum: 100_000 }),
  /** Messages that may wait on one socket behind the one being handled. */
  MAX_PENDING_MESSAGES: Type.Integer({ default: 32, minimum: 1, maximum: 10_000 }),
  /** Serve a non-loopback HOST without an API_TOKEN, knowingly. */
  ALLOW_ANONYMOUS: Type.Boolean({ default: false }),
  /** Where the life of every call, participant and recording is POSTed, signed. */
  WEBHOOK_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$' })),
  /** The key that signs each webhook request (X-Stage-Signature, HMAC-SHA256). */
  WEBHOOK_SECRET: Type.Optional(Type.String({ minLength: 16 })),
});

export type Config = Readonly<Static<typeof ConfigSchema>> & {
  /** The media servers to use; empty means "start the embedded engine". */
  readonly kmsUrls: readonly string[];
  /** ALLOWED_ORIGINS, parsed: `scheme://host[:port]` each. */
  readonly allowedOrigins: readonly string[];
  /** PUBLIC_HOSTNAMES, parsed and lower-cased. */
  readonly publicHostnames: readonly string[];
  /** INSTANCE_ID, or its default. */
  readonly instanceId: string;
};

export class ConfigError extends Error {}

const SECRETS = ['TLS_KEY', 'ENGINE_TURN_URL', 'TURN_SECRET', 'MONGODB_URL', 'API_TOKEN', 'WEBHOOK_SECRET'] as const;
const BOOLEAN = new Set(['true', 'false', '1', '0']);

/** Environment strings to typed values, before the schema checks them. */
function coerce(env: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.properties)) {
    const raw = env[key];
    if (raw === undefined || raw === '') continue;
    const schema = ConfigSchema.properties[key as keyof typeof ConfigSchema.properties] as { type?: string };
    if (schema.type === 'integer') out[key] = /^-?\d+$/.test(raw) ? Number(raw) : raw;
    else if (schema.type === 'number') out[key] = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    else if (schema.type === 'boolean') out[key] = BOOLEAN.has(raw) ? raw === 'true' || raw === '1' : raw;
    else out[key] = raw;
  }
  return out;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const input = coerce(env);
  input.PORT ??= 8080;
  const withDefaults = Value.Default(ConfigSchema, input) as Record<string, unknown>;
  const first = [...Value.Errors(ConfigSchema, withDefaults)].find((e) => !(e.schema as { format?: string }).format);
  if (first) {
    const name = first.path.replace(/^\//, '') || 'configuration';
    throw new ConfigError(`${name}: ${first.message} (got ${JSON.stringify(env[name] ?? null)})`);
  }
  const value = withDefaults as Static<typeof ConfigSchema>;
  if (value.ENGINE_EXTERNAL_IPV4 && !IPV4.test(value.ENGINE_EXTERNAL_IPV4)) {
    throw new ConfigError(`ENGINE_EXTERNAL_IPV4: must be an IPv4 address (got "${value.ENGINE_EXTERNAL_IPV4}")`);
  }
  if (value.ENGINE_EXTERNAL_IPV6 && !isIPv6(value.ENGINE_EXTERNAL_IPV6)) {
    throw new ConfigError(`ENGINE_EXTERNAL_IPV6: must be an IPv6 address (got "${value.ENGINE_EXTERNAL_IPV6}")`);
  }
  if ((value.ENGINE_MIN_PORT === undefined) !== (value.ENGINE_MAX_PORT === undefined)) {
    throw new ConfigError('ENGINE_MIN_PORT and ENGINE_MAX_PORT must be set together');
  }
  if (
    value.ENGINE_MIN_PORT !== undefined &&
    value.ENGINE_MAX_PORT !== undefined &&
    value.ENGINE_MIN_PORT >= value.ENGINE_MAX_PORT
  ) {
    throw new ConfigError('ENGINE_MIN_PORT must be lower than ENGINE_MAX_PORT');
  }
  if (value.HTTPS && (value.TLS_CERT === undefined) !== (value.TLS_KEY === undefined)) {
    throw new ConfigError('TLS_CERT and TLS_KEY must be set together (or neither, for a self-signed certificate)');
  }
  if (value.KMS_MIN_PORT >= value.KMS_MAX_PORT) {
    throw new ConfigError('KMS_MIN_PORT must be lower than KMS_MAX_PORT');
  }
  if (value.KMS_EXTERNAL_IPV4 && !IPV4.test(value.KMS_EXTERNAL_IPV4)) {
    throw new ConfigError(`KMS_EXTERNAL_IPV4: must be an IPv4 address (got "${value.KMS_EXTERNAL_IPV4}")`);
  }
  if (value.KMS_EXTERNAL_IPV6 && !isIPv6(value.KMS_EXTERNAL_IPV6)) {
    throw new ConfigError(`KMS_EXTERNAL_IPV6: must be an IPv6 address (got "${value.KMS_EXTERNAL_IPV6}")`);
  }
  if ((value.WEBHOOK_URL === undefined) !== (value.WEBHOOK_SECRET === undefined)) {
    throw new ConfigError('WEBHOOK_URL and WEBHOOK_SECRET must be set together: every webhook request is signed');
  }
  if ((value.TURN_URL === undefined) !== (value.TURN_SECRET === undefined)) {
    throw new ConfigError(
      'TURN_URL and TURN_SECRET must be set together (coturn with use-auth-secret and the same static-auth-secret)',
    );
  }
  if (value.ICE_TRANSPORT_POLICY === 'relay' && !value.TURN_URL) {
    throw new ConfigError('ICE_TRANSPORT_POLICY=relay needs a TURN server: set TURN_URL and TURN_SECRET');
  }
  if (!isLoopbackHost(value.HOST) && !value.API_TOKEN && !value.ALLOW_ANONYMOUS) {
    throw new ConfigError(
      `API_TOKEN: HOST=${value.HOST} serves the network, so visitors need an access token; set API_TOKEN (visitors enter it once at /login), or ALLOW_ANONYMOUS=true to serve anyone`,
    );
  }
  const kmsUrls = value.KMS_URL ? value.KMS_URL.split(',') : [];
  const allowedOrigins = list(value.ALLOWED_ORIGINS).map((o) => origin(o));
  const publicHostnames = list(value.PUBLIC_HOSTNAMES).map((h) => {
    if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(h)) {
      throw new ConfigError(`PUBLIC_HOSTNAMES: "${h}" is not a host name (no scheme, port or path)`);
    }
    return h.toLowerCase();
  });
  // NOTE: PORT=0 picks a new port each start, so no id would survive a restart: a random
  // one at least never matches another running instance's.
  const instanceId = value.INSTANCE_ID ?? (value.PORT === 0 ? `${hostname()}:${randomUUID()}` : `${hostname()}:${value.PORT}`);
  return Object.freeze({
    ...value,
    instanceId,
    kmsUrls: Object.freeze(kmsUrls),
    allowedOrigins: Object.freeze(allowedOrigins),
    publicHostnames: Object.freeze(publicHostnames),
  });
}

/** A HOST that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function list(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** An origin as browsers send it: scheme://host[:port], nothing more. */
function origin(raw: string): string {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== raw.replace(/\/$/, '')) {
    throw new ConfigError(`ALLOWED_ORIGINS: "${raw}" is not an origin such as https://app.example.com (no path)`);
  }
  return url.origin;
}

/**
 * A URL as it may be shown or logged: the password of `user:password@` and an
 * `access_token` query parameter masked, the rest (scheme, user, host, port, path) kept so an
 * operator can still tell which server it names.
 */
export function maskUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, '$1:***@').replace(/access_token=[^&,]+/g, 'access_token=***');
}

/** The config as it may be logged: secrets masked. */
export function redactConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  for (const key of SECRETS) if (out[key] !== undefined) out[key] = '***';
  if (typeof out.KMS_URL === 'string') out.KMS_URL = out.KMS_URL.split(',').map(maskUrl).join(',');
  out.kmsUrls = config.kmsUrls.map(maskUrl);
  return out;
}
