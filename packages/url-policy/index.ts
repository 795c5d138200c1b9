// Fetching a URL that a client of this server chose, without letting it reach what only this
// machine can reach: loopback, link-local (cloud metadata at 169.254.169.254), private and
// carrier-grade NAT ranges, multicast and unspecified addresses. Names are resolved and every
// address they resolve to is checked; the check runs in the lookup that opens the connection,
// so a name that re-binds between a check and the fetch cannot slip through. Redirects are
// followed by hand (at most 3), each hop checked again. Shared by the app (which checks a
// player URL before a media server sees it) and the engine (which fetches).

import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

export interface UrlPolicy {
  /** The operator's ALLOW_PRIVATE_URLS: any address may be fetched. */
  allowPrivate: boolean;
}

/** Why a URL was not fetched. Its message is for the server's log; users get COULD_NOT_READ. */
export class UrlRefused extends Error {}

/** What a user is told whatever went wrong, so errors cannot map the network behind us. */
export const COULD_NOT_READ = 'could not read the URL';

export const MAX_REDIRECTS = 3;

const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
  ['2002::', 16],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

/** True for an address a client's URL may reach. IPv4-mapped IPv6 is judged by its IPv4. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !BLOCKED.check(address, 'ipv4');
  if (family !== 6) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return isPublicAddress(mapped[1]!);
  return !BLOCKED.check(address, 'ipv6');
}

/** The URL parsed, if its scheme is http(s); the parser also normalises 2130706433 and 0x7f.1. */
export function parseHttpUrl(raw: string | URL): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UrlRefused(`'${String(raw)}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UrlRefused(`${url.protocol} URLs are not fetched`);
  return url;
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** Refuses an address the policy does not allow. */
function checkAddress(address: string, host: string, policy: UrlPolicy): void {
  if (!policy.allowPrivate && !isPublicAddress(address)) {
    throw new UrlRefused(`${host} is ${address}, a loopback, private or reserved address (ALLOW_PRIVATE_URLS allows it)`);
  }
}

/** A lookup for http.request that fails the connection when any resolved address is refused. */
export function guardedLookup(policy: UrlPolicy): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      try {
        if (addresses.length === 0) throw new UrlRefused(`${hostname} has no address`);
        for (const a of addresses) checkAddress(a.address, hostname, policy);
      } catch (refusal) {
        return callback(refusal as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

/** Resolves the URL's host and refuses it if any address is refused; for URLs we hand on. */
export async function checkUrl(raw: string | URL, policy: UrlPolicy): Promise<URL> {
  const url = parseHttpUrl(raw);
  const host = hostOf(url);
  if (isIP(host)) {
    checkAddress(host, host, policy);
    return url;
  }
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) =>
    dnsLookup(host, { all: true }, (err, all) => (err ? reject(new UrlRefused(`${host}: ${err.message}`)) : resolve(all))),
  );
  for (const a of addresses) checkAddress(a.address, host, policy);
  return url;
}

export interface FetchOptions {
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  timeoutMs: number;
}

/**
 * GETs a URL under the policy, following up to MAX_REDIRECTS redirects, each hop checked.
 * Resolves with the final response (any status but a redirect); the caller reads or
 * destroys it. Failures reject with UrlRefused, whose message is for the log.
 */
export async function fetchUnderPolicy(raw: string | URL, policy: UrlPolicy, options: FetchOptions): Promise<IncomingMessage> {
  let url = parseHttpUrl(raw);
  for (let hop = 0; ; hop++) {
    const host = hostOf(url);
    if (isIP(host)) checkAddress(host, host, policy);
    const response = await requestOnce(url, policy, options);
    const location = response.headers.location;
    if (response.statusCode === undefined || response.statusCode < 300 || response.statusCode >= 400 || !location) {
      return response;
    }
    response.destroy();
    if (hop === MAX_REDIRECTS) throw new UrlRefused(`more than ${MAX_REDIRECTS} redirects`);
    url = parseHttpUrl(new URL(location, url));
  }
}

function requestOnce(url: URL, policy: UrlPolicy, options: FetchOptions): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const init: RequestOptions = {
    method: options.method ?? 'GET',
    headers: { 'user-agent': 'kurento-stage', ...options.headers },
    lookup: guardedLookup(policy),
    timeout: options.timeoutMs,
  };
  return new Promise((resolve, reject) => {
    const req = request(url, init, resolve);
    req.on('timeout', () => req.destroy(new UrlRefused(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (err) => reject(err instanceof UrlRefused ? err : new UrlRefused(err.message)));
    req.end();
  });
}
