// The embedded media server's settings: from CLI flags first, then the environment, then
// defaults that suit a laptop (loopback only, ephemeral UDP ports). Invalid values stop
// start-up with a message naming the flag or variable.

import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { ADDON_KMD_PACKAGES } from './types/kmd';

export interface EngineConfig {
  host: string;
  port: number;
  /**
   * The port of the HTTP server that HttpPostEndpoints receive uploads on (KMS's
   * HttpEndpoint.conf.ini port, 9091 there); 0 lets the OS choose. It listens on `host`.
   */
  httpEndpointPort: number;
  /** UDP port range for ICE; undefined lets the OS choose. */
  portRange?: [number, number];
  /** Only these local addresses are announced as candidates; empty means every interface. */
  addresses: string[];
  /** Announced in place of private host addresses, as KMS's externalIPv4/IPv6. */
  externalIPv4?: string;
  externalIPv6?: string;
  stunServer?: { address: string; port: number };
  turnUrl?: string;
  /** Seconds a disconnected client session may take to resume before its objects are released. */
  sessionTimeoutSeconds: number;
  logLevel: string;
  /** The media repository: `file://` URIs of recorders and players must lie inside it. */
  mediaDir: string;
  /** Standalone only: file URIs and image paths may be anywhere this process may read or write. */
  allowAnyPath: boolean;
  /** Folders, besides the media directory, that filters may read images from (never written). */
  imageDirs: string[];
  /** http(s) URLs (players, images, recorder uploads) may reach loopback and private addresses. */
  allowPrivateUrls: boolean;
  /**
   * Browser origins allowed to drive this media server besides loopback ones. Browsers send
   * an Origin on every WebSocket; Node applications send none and are not concerned.
   */
  allowedOrigins: string[];
  /** How many GStreamer helpers (players, filters) may run at once, and each one's memory. */
  helpers: { maxHelpers: number; memoryMb: number };
  /** The GStreamer helper's interpreter; filters and players need it (python3 with gi). */
  gstPython: string;
  /**
   * The add-on modules loaded (chroma): as a KMS image without kms-chroma, an engine without
   * it answers create('ChromaFilter') with 40108 and lists no such module in getInfo.
   */
  addonModules: string[];
  /**
   * Media worker threads (default: one per core): pipelines are placed on them, and the main
   * thread keeps the Kurento Protocol. 0 runs every pipeline on the main thread.
   */
  workers: number;
  /**
   * How many of a pipeline's elements its worker takes before further ones go to the least
   * loaded worker, their sources piped there (0: a pipeline never spreads).
   */
  pipeAfter: number;
  /**
   * Whether forwarded packets go through the native send path (packages/srtp-send: libsrtp2
   * and a direct UDP send) when it was built; it is never required.
   */
  nativeSend: boolean;
}

type Source = Record<string, string | undefined>;

class ConfigError extends Error {}

/** ENGINE_MODULES: the add-on modules to load, comma-separated; unset: all; empty: none. */
function addonModules(raw: string | undefined): string[] {
  if (raw === undefined) return Object.keys(ADDON_KMD_PACKAGES);
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!ADDON_KMD_PACKAGES[name]) {
      throw new ConfigError(
        `ENGINE_MODULES: there is no add-on module "${name}" (known: ${Object.keys(ADDON_KMD_PACKAGES).join(', ')})`,
      );
    }
  }
  return names;
}

function int(name: string, raw: string, min: number, max: number): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return n;
}

function ip(name: string, raw: string): string {
  if (!isIP(raw)) throw new ConfigError(`${name} must be an IP address, got "${raw}"`);
  return raw;
}

/** An origin as browsers send it: scheme://host[:port], nothing more. */
function origin(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must list origins such as https://app.example.com, got "${raw}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== raw.replace(/\/$/, '')) {
    throw new ConfigError(`${name} must list origins such as https://app.example.com (no path), got "${raw}"`);
  }
  return url.origin;
}

function bool(name: string, raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** Parses `--flag value` pairs into a map keyed by the matching environment variable name. */
function argsToEnv(argv: string[]): Source {
  const map: Record<string, string> = {
    '--port': 'ENGINE_PORT',
    '--host': 'ENGINE_HOST',
    '--min-port': 'ENGINE_MIN_PORT',
    '--max-port': 'ENGINE_MAX_PORT',
    '--addresses': 'ENGINE_ADDRESSES',
    '--external-ipv4': 'ENGINE_EXTERNAL_IPV4',
    '--external-ipv6': 'ENGINE_EXTERNAL_IPV6',
    '--stun': 'ENGINE_STUN',
    '--turn-url': 'ENGINE_TURN_URL',
    '--session-timeout': 'ENGINE_SESSION_TIMEOUT',
    '--log-level': 'LOG_LEVEL',
    '--media-dir': 'ENGINE_MEDIA_DIR',
    '--gst-python': 'ENGINE_GST_PYTHON',
    '--allowed-origins': 'ENGINE_ALLOWED_ORIGINS',
    '--image-dirs': 'ENGINE_IMAGE_DIRS',
    '--max-helpers': 'ENGINE_MAX_HELPERS',
    '--helper-memory-mb': 'ENGINE_HELPER_MEMORY_MB',
    '--http-endpoint-port': 'ENGINE_HTTP_ENDPOINT_PORT',
    '--modules': 'ENGINE_MODULES',
    '--workers': 'ENGINE_WORKERS',
    '--pipe-after': 'ENGINE_PIPE_AFTER',
    '--native-send': 'ENGINE_NATIVE_SEND',
  };
  const out: Source = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    if (flag === '--allow-any-path') {
      out.ENGINE_ALLOW_ANY_PATH = inline ?? 'true';
      continue;
    }
    if (flag === '--allow-private-urls') {
      out.ENGINE_ALLOW_PRIVATE_URLS = inline ?? 'true';
      continue;
    }
    const key = map[flag];
    if (!key)
      throw new ConfigError(`unknown option ${flag}; known: ${Object.keys(map).join(' ')} --allow-any-path --allow-private-urls`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    out[key] = value;
  }
  return out;
}

export function loadEngineConfig(argv: string[], env: Source = process.env): EngineConfig {
  const src: Source = { ...env, ...argsToEnv(argv) };
  const config: EngineConfig = {
    host: src.ENGINE_HOST ? ip('ENGINE_HOST', src.ENGINE_HOST) : '127.0.0.1',
    port: src.ENGINE_PORT !== undefined ? int('ENGINE_PORT', src.ENGINE_PORT, 0, 65535) : 8888,
    httpEndpointPort:
      src.ENGINE_HTTP_ENDPOINT_PORT !== undefined ? int('ENGINE_HTTP_ENDPOINT_PORT', src.ENGINE_HTTP_ENDPOINT_PORT, 0, 65535) : 0,
    addresses: (src.ENGINE_ADDRESSES ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((a) => ip('ENGINE_ADDRESSES', a)),
    sessionTimeoutSeconds:
      src.ENGINE_SESSION_TIMEOUT !== undefined ? int('ENGINE_SESSION_TIMEOUT', src.ENGINE_SESSION_TIMEOUT, 1, 86400) : 60,
    logLevel: src.LOG_LEVEL ?? 'info',
    mediaDir: resolve(src.ENGINE_MEDIA_DIR || 'media'),
    allowAnyPath: bool('ENGINE_ALLOW_ANY_PATH', src.ENGINE_ALLOW_ANY_PATH),
    imageDirs: (src.ENGINE_IMAGE_DIRS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((d) => resolve(d)),
    helpers: {
      maxHelpers: src.ENGINE_MAX_HELPERS !== undefined ? int('ENGINE_MAX_HELPERS', src.ENGINE_MAX_HELPERS, 1, 10_000) : 16,
      memoryMb:
        src.ENGINE_HELPER_MEMORY_MB !== undefined
          ? int('ENGINE_HELPER_MEMORY_MB', src.ENGINE_HELPER_MEMORY_MB, 16, 1_048_576)
          : 1024,
    },
    allowPrivateUrls: bool('ENGINE_ALLOW_PRIVATE_URLS', src.ENGINE_ALLOW_PRIVATE_URLS),
    gstPython: src.ENGINE_GST_PYTHON || '/usr/bin/python3',
    addonModules: addonModules(src.ENGINE_MODULES),
    workers: src.ENGINE_WORKERS !== undefined ? int('ENGINE_WORKERS', src.ENGINE_WORKERS, 0, 256) : availableParallelism(),
    nativeSend: src.ENGINE_NATIVE_SEND === undefined ? true : bool('ENGINE_NATIVE_SEND', src.ENGINE_NATIVE_SEND),
    pipeAfter: src.ENGINE_PIPE_AFTER !== undefined ? int('ENGINE_PIPE_AFTER', src.ENGINE_PIPE_AFTER, 0, 1_000_000) : 32,
    allowedOrigins: (src.ENGINE_ALLOWED_ORIGINS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((o) => origin('ENGINE_ALLOWED_ORIGINS', o)),
  };
  if (src.ENGINE_MIN_PORT !== undefined || src.ENGINE_MAX_PORT !== undefined) {
    const min = int('ENGINE_MIN_PORT', src.ENGINE_MIN_PORT ?? '', 1024, 65534);
    const max = int('ENGINE_MAX_PORT', src.ENGINE_MAX_PORT ?? '', min + 1, 65535);
    config.portRange = [min, max];
  }
  if (src.ENGINE_EXTERNAL_IPV4) config.externalIPv4 = ip('ENGINE_EXTERNAL_IPV4', src.ENGINE_EXTERNAL_IPV4);
  if (src.ENGINE_EXTERNAL_IPV6) config.externalIPv6 = ip('ENGINE_EXTERNAL_IPV6', src.ENGINE_EXTERNAL_IPV6);
  if (src.ENGINE_STUN) {
    const [address, port] = src.ENGINE_STUN.split(':');
    config.stunServer = { address: ip('ENGINE_STUN', address ?? ''), port: int('ENGINE_STUN port', port ?? '3478', 1, 65535) };
  }
  if (src.ENGINE_TURN_URL) config.turnUrl = src.ENGINE_TURN_URL;
  return config;
}

export { ConfigError as EngineConfigError };
