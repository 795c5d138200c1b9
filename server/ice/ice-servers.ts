// The STUN and TURN servers that browsers and media servers use to find a path to each
// other. TURN credentials are short-lived and never stored: coturn's REST scheme
// (`use-auth-secret`) lets this server mint them from a secret it shares with coturn, and
// coturn checks them without asking anyone:
//   username   = "<expiry, Unix seconds>:<who>"
//   credential = base64(HMAC-SHA1(secret, username))
// A credential is refused once its expiry has passed, or when another secret signed it.

import { createHmac, randomBytes } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { isIPv4 } from 'node:net';

export interface IceServersConfig {
  STUN_URL?: string;
  TURN_URL?: string;
  TURN_SECRET?: string;
  TURN_TTL_SECONDS: number;
  ICE_TRANSPORT_POLICY: 'all' | 'relay';
}

/** What a page puts in its RTCPeerConnection's configuration. */
export interface BrowserIceConfig {
  iceServers: { urls: string[]; username?: string; credential?: string }[];
  iceTransportPolicy: 'all' | 'relay';
  /** When the TURN credential stops working (ISO time), if there is one. */
  expiresAt?: string;
}

/** coturn's REST credential for `who`, valid until `expiry` (Unix seconds). */
export function turnCredential(secret: string, who: string, expiry: number): { username: string; credential: string } {
  const username = `${expiry}:${who}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/** The part of a `turn:` URL a media server needs: host, port and transport. */
function turnAddress(url: string): { host: string; port: number; transport: string } {
  const m = /^turns?:(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/.exec(url);
  if (!m) throw new Error(`"${url}" is not a TURN URL such as turn:203.0.113.5:3478?transport=udp`);
  return { host: m[1]!, port: Number(m[2] ?? (url.startsWith('turns:') ? 5349 : 3478)), transport: m[3] ?? 'udp' };
}

export class IceServers {
  /** TURN credentials handed out since start, for the metrics. */
  issued = 0;

  private constructor(
    private readonly config: IceServersConfig,
    private readonly turnUrls: string[],
    /** The first plain `turn:` server as KMS takes it: an IPv4 address (KMS resolves no names). */
    private readonly mediaServerTurn: { address: string; port: number; transport: string } | undefined,
    private readonly now: () => number,
  ) {}

  /**
   * Reads the configuration; a TURN host given by name is resolved once here, because KMS's
   * `turnUrl` takes only an IPv4 address.
   */
  static async create(config: IceServersConfig, now: () => number = Date.now): Promise<IceServers> {
    const turnUrls = config.TURN_URL ? config.TURN_URL.split(',').map((u) => u.trim()) : [];
    turnUrls.forEach(turnAddress);
    const plain = turnUrls.find((u) => u.startsWith('turn:'));
    let mediaServerTurn: { address: string; port: number; transport: string } | undefined;
    if (plain && config.TURN_SECRET) {
      const { host, port, transport } = turnAddress(plain);
      const address = isIPv4(host) ? host : (await lookup(host, { family: 4 })).address;
      mediaServerTurn = { address, port, transport };
    }
    return new IceServers(config, turnUrls, mediaServerTurn, now);
  }

  get hasTurn(): boolean {
    return this.turnUrls.length > 0 && !!this.config.TURN_SECRET;
  }

  /** A page's ICE configuration, with a TURN credential of its own. */
  forBrowser(): BrowserIceConfig {
    const iceServers: BrowserIceConfig['iceServers'] = [];
    if (this.config.STUN_URL) iceServers.push({ urls: [this.config.STUN_URL] });
    const out: BrowserIceConfig = { iceServers, iceTransportPolicy: this.config.ICE_TRANSPORT_POLICY };
    if (this.hasTurn) {
      const expiry = this.expiry();
      // A random name per page: coturn logs it, and it says nothing about who the visitor is.
      iceServers.push({ urls: this.turnUrls, ...this.sign(`web-${randomBytes(6).toString('hex')}`, expiry) });
      out.expiresAt = new Date(expiry * 1000).toISOString();
    }
    return out;
  }

  /**
   * A WebRtcEndpoint's `turnUrl` in KMS's form, `user:password@address:port?transport=…`,
   * with a credential of its own; undefined when there is no TURN server to give it.
   */
  forMediaServer(): string | undefined {
    if (!this.mediaServerTurn || !this.hasTurn) return undefined;
    const { username, credential } = this.sign('media-server', this.expiry());
    const { address, port, transport } = this.mediaServerTurn;
    return `${username}:${credential}@${address}:${port}?transport=${transport}`;
  }

  private expiry(): number {
    return Math.floor(this.now() / 1000) + this.config.TURN_TTL_SECONDS;
  }

  private sign(who: string, expiry: number): { username: string; credential: string } {
    this.issued++;
    return turnCredential(this.config.TURN_SECRET!, who, expiry);
  }
}
