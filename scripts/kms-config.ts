// Writes kms-config/, a real KMS's own configuration files, from the environment the app
// reads (server/config.ts), so the app and its media server are configured from one place:
//   kurento.conf.json          the control WebSocket's port and path, from KMS_URL
//   BaseRtpEndpoint.conf.ini   the media port range, KMS_MIN_PORT..KMS_MAX_PORT
//   WebRtcEndpoint.conf.ini    KMS_EXTERNAL_IPV4/IPV6, KMS_NETWORK_INTERFACES, and STUN from STUN_URL
// No TURN credential is written: the app gives each WebRtcEndpoint one of its own
// (TURN_URL, TURN_SECRET), which expires.
//
// Usage: npm run kms-config            (writes the files)
//        npm run kms-config -- --check (fails when the files differ from what the env gives)

import { readFileSync, writeFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import { join } from 'node:path';
import { loadConfig, type Config } from '../server/config';
import { projectRoot } from '../server/util/paths';

export const KMS_CONFIG_DIR = join(projectRoot, 'kms-config');

const HEADER = (vars: string): string => `; Written by \`npm run kms-config\` from ${vars}; edit those, not this file.`;

/** `name=value`, or the line commented out when there is no value, so the file says what is unset. */
const setting = (name: string, value: string | number | undefined, example: string): string =>
  value === undefined ? `;${name}=${example}` : `${name}=${value}`;

/** KMS's STUN settings take an IPv4 address and a port; a STUN_URL with a host name cannot be one. */
function stunOf(url: string | undefined): { address: string; port: number } | undefined {
  const m = url ? /^stuns?:([^:?]+)(?::(\d+))?/.exec(url) : null;
  if (!m || !isIPv4(m[1]!)) return undefined;
  return { address: m[1]!, port: Number(m[2] ?? 3478) };
}

/** The control WebSocket KMS listens on: the first KMS_URL's port and path, or KMS's defaults. */
function websocketOf(urls: readonly string[]): { port: number; path: string } {
  const first = urls[0] ? new URL(urls[0]) : undefined;
  return {
    port: first?.port ? Number(first.port) : 8888,
    path: first ? first.pathname.replace(/^\//, '') || 'kurento' : 'kurento',
  };
}

export function kmsConfigFiles(config: Config): Record<string, string> {
  const stun = stunOf(config.STUN_URL);
  const websocket = websocketOf(config.kmsUrls);
  return {
    'kurento.conf.json': `${JSON.stringify(
      {
        '//': 'Written by `npm run kms-config` from KMS_URL; edit that, not this file.',
        mediaServer: {
          resources: { garbageCollectorPeriod: 240 },
          net: { websocket: { port: websocket.port, path: websocket.path, threads: 10 } },
        },
      },
      null,
      2,
    )}\n`,
    'BaseRtpEndpoint.conf.ini': [
      HEADER('KMS_MIN_PORT and KMS_MAX_PORT'),
      '; The UDP ports KMS sends and receives media on: open them in the firewall.',
      `minPort=${config.KMS_MIN_PORT}`,
      `maxPort=${config.KMS_MAX_PORT}`,
      '',
    ].join('\n'),
    'WebRtcEndpoint.conf.ini': [
      HEADER('KMS_EXTERNAL_IPV4, KMS_EXTERNAL_IPV6, KMS_NETWORK_INTERFACES and STUN_URL'),
      '; The public addresses announced in place of the host ones (behind NAT).',
      setting('externalIPv4', config.KMS_EXTERNAL_IPV4, '198.51.100.1'),
      setting('externalIPv6', config.KMS_EXTERNAL_IPV6, '2001:0db8:0000:0000:0000:0000:0000:0001'),
      '; The interfaces candidates are gathered on, by name; all when unset.',
      setting('networkInterfaces', config.KMS_NETWORK_INTERFACES, 'eth0'),
      '; STUN, from STUN_URL when it names an IPv4 address (KMS takes no host name here).',
      setting('stunServerAddress', stun?.address, '198.51.100.1'),
      setting('stunServerPort', stun?.port, '3478'),
      '; No turnURL: the app gives each WebRtcEndpoint a TURN credential of its own',
      '; (TURN_URL, TURN_SECRET), which expires.',
      '',
    ].join('\n'),
  };
}

/** The files that differ from what `config` gives, by name. */
export function staleKmsConfig(config: Config, dir = KMS_CONFIG_DIR): string[] {
  return Object.entries(kmsConfigFiles(config))
    .filter(([name, text]) => {
      try {
        return readFileSync(join(dir, name), 'utf8') !== text;
      } catch {
        return true;
      }
    })
    .map(([name]) => name);
}

if (require.main === module) {
  const config = loadConfig();
  if (process.argv.includes('--check')) {
    const stale = staleKmsConfig(config);
    if (stale.length > 0) {
      console.error(`kms-config/ differs from the environment: ${stale.join(', ')}; run npm run kms-config`);
      process.exit(1);
    }
    console.log('kms-config/ matches the environment');
  } else {
    for (const [name, text] of Object.entries(kmsConfigFiles(config))) writeFileSync(join(KMS_CONFIG_DIR, name), text);
    console.log(`wrote kms-config/ (${Object.keys(kmsConfigFiles(config)).join(', ')})`);
  }
}
