// Which local ICE candidates the engine announces, and with which address: operators limit
// gathering to some addresses and announce a public one behind NAT (KMS's externalIPv4/6).

import { isIPv4, isIPv6 } from 'node:net';

export interface CandidatePolicy {
  /** Host addresses to announce; undefined announces every one. */
  addresses?: string[];
  externalIPv4?: string;
  externalIPv6?: string;
}

/** Returns the candidate line to announce, or undefined to keep it to ourselves. */
export function announceCandidate(candidate: string, policy: CandidatePolicy): string | undefined {
  const parts = candidate.split(' ');
  // candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> ...
  const address = parts[4];
  if (address === undefined) return undefined;
  const type = parts[7];
  if (type === 'host' && policy.addresses && !policy.addresses.includes(address)) return undefined;
  if (type === 'host' && !isLoopback(address)) {
    const external = isIPv4(address) ? policy.externalIPv4 : isIPv6(address) ? policy.externalIPv6 : undefined;
    if (external) parts[4] = external;
  }
  return parts.join(' ');
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

/** KMS answers before it gathers (trickle ICE): candidates go out as events, not in the SDP. */
export function stripCandidates(sdp: string): string {
  return sdp
    .split(/\r\n/)
    .filter((line) => !line.startsWith('a=candidate:') && line !== 'a=end-of-candidates')
    .join('\r\n');
}

/** A cheap structural check so that garbage fails with a parse error, not deep in the stack. */
export function looksLikeSdp(sdp: string): boolean {
  return /^v=0\r?\n/.test(sdp) && /\r?\nm=(audio|video|application) /.test(sdp) && /\r?\no=/.test(sdp);
}
