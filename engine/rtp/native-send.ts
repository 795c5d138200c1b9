// The optional native send path (packages/srtp-send, built by `npm run build:native` from
// Debian's libsrtp2): SRTP protection and the UDP send in one call, where the TypeScript path
// creates an AES-GCM context per packet and goes through dgram. It is used only when it was
// built and the configuration allows it; nothing else changes without it.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface NativeSend {
  /** A libsrtp2 sending session for `profile` (0x0001 AES-CM/HMAC-SHA1-80, 0x0007 AES-GCM). */
  session(profile: number, masterKey: Buffer, masterSalt: Buffer): unknown;
  /** Protects header + payload and sends it on `fd`: bytes sent, or -1 (dropped). */
  protectAndSend(session: unknown, fd: number, host: string, port: number, header: Buffer, payload: Buffer): number;
}

/** Where the build puts the module, from this file in the sources or in dist/. */
const CANDIDATES = [
  '../../packages/srtp-send/build/Release/srtp_send.node',
  '../../../packages/srtp-send/build/Release/srtp_send.node',
];

let loaded: { module: NativeSend | undefined } | undefined;

/** The native module, or undefined when it was not built. */
export function nativeSend(): NativeSend | undefined {
  if (!loaded) {
    const path = CANDIDATES.map((c) => resolve(__dirname, c)).find((p) => existsSync(p));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a native module is loaded by path
    loaded = { module: path ? (require(path) as NativeSend) : undefined };
  }
  return loaded.module;
}
