// TURN credentials in coturn's REST scheme, for pages and for media servers, and the
// configuration that asks for them.

import { createHmac } from 'node:crypto';
import { loadConfig } from '../../server/config';
import { IceServers, turnCredential } from '../../server/ice/ice-servers';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const base = { TURN_TTL_SECONDS: 3600, ICE_TRANSPORT_POLICY: 'all' as const };

// KMS's own reading of a WebRtcEndpoint's turnUrl (kmswebrtcsession.c), to check we hand it
// what it parses.
const KMS_TURN_URL =
  /^(?<user>.+):(?<password>.+)@(?<address>[0-9.]+):(?<port>[0-9]+)(\?transport=(?<transport>(udp|tcp|tls)))?$/;

describe('TURN credentials', () => {
  test('username "expiry:who", credential base64(HMAC-SHA1(secret, username))', () => {
    const c = turnCredential('s3cret', 'web-1', 1767272400);
    expect(c.username).toBe('1767272400:web-1');
    expect(c.credential).toBe(createHmac('sha1', 's3cret').update('1767272400:web-1').digest('base64'));
  });

  test('a page gets STUN, and TURN with its own credential valid for TURN_TTL_SECONDS', async () => {
    const ice = await IceServers.create(
      {
        ...base,
        STUN_URL: 'stun:stun.example.com:3478',
        TURN_URL: 'turn:203.0.113.5:3478,turns:203.0.113.5:5349?transport=tcp',
        TURN_SECRET: 'shared-secret',
      },
      () => NOW,
    );
    const config = ice.forBrowser();
    expect(config.iceServers[0]).toEqual({ urls: ['stun:stun.example.com:3478'] });
    const turn = config.iceServers[1]!;
    expect(turn.urls).toEqual(['turn:203.0.113.5:3478', 'turns:203.0.113.5:5349?transport=tcp']);
    expect(turn.username).toMatch(new RegExp(`^${NOW / 1000 + 3600}:web-[0-9a-f]{12}$`));
    expect(turn.credential).toBe(turnCredential('shared-secret', turn.username!.split(':')[1]!, NOW / 1000 + 3600).credential);
    expect(config.expiresAt).toBe(new Date(NOW + 3600_000).toISOString());
    expect(ice.forBrowser().iceServers[1]!.username).not.toBe(turn.username);
    expect(ice.issued).toBe(2);
  });

  test('a media server gets KMS’s turnUrl form, which KMS parses back into the same user and password', async () => {
    const ice = await IceServers.create(
      { ...base, TURN_URL: 'turn:203.0.113.5:3478?transport=udp', TURN_SECRET: 'shared-secret' },
      () => NOW,
    );
    const url = ice.forMediaServer()!;
    const parsed = KMS_TURN_URL.exec(url)!.groups!;
    expect(parsed.user).toBe(`${NOW / 1000 + 3600}:media-server`);
    expect(parsed.password).toBe(turnCredential('shared-secret', 'media-server', NOW / 1000 + 3600).credential);
    expect([parsed.address, parsed.port, parsed.transport]).toEqual(['203.0.113.5', '3478', 'udp']);
  });

  test('a TURN host given by name is resolved for KMS, which takes only an IPv4 address', async () => {
    const ice = await IceServers.create({ ...base, TURN_URL: 'turn:localhost:3478', TURN_SECRET: 'shared-secret' }, () => NOW);
    expect(ice.forMediaServer()).toMatch(/@127\.0\.0\.1:3478\?transport=udp$/);
    expect(ice.forBrowser().iceServers[0]!.urls).toEqual(['turn:localhost:3478']);
  });

  test('without TURN: no credential, for pages or media servers', async () => {
    const ice = await IceServers.create(base);
    expect(ice.forBrowser()).toEqual({ iceServers: [], iceTransportPolicy: 'all' });
    expect(ice.forMediaServer()).toBeUndefined();
    expect(ice.issued).toBe(0);
  });
});

describe('TURN configuration', () => {
  const load = (env: Record<string, string>) => () => loadConfig({ PORT: '0', ...env });

  test('TURN_URL and TURN_SECRET go together', () => {
    expect(load({ TURN_URL: 'turn:203.0.113.5:3478' })).toThrow(/TURN_URL and TURN_SECRET must be set together/);
    expect(load({ TURN_SECRET: 'shared-secret' })).toThrow(/TURN_URL and TURN_SECRET must be set together/);
  });

  test('relaying only needs a TURN server', () => {
    expect(load({ ICE_TRANSPORT_POLICY: 'relay' })).toThrow(/ICE_TRANSPORT_POLICY=relay needs a TURN server/);
  });

  test('bad forms are refused by name', () => {
    expect(load({ TURN_URL: 'http://203.0.113.5', TURN_SECRET: 'shared-secret' })).toThrow(/^TURN_URL/);
    expect(load({ STUN_URL: 'turn:x' })).toThrow(/^STUN_URL/);
    expect(load({ TURN_URL: 'turn:1.2.3.4', TURN_SECRET: 'short' })).toThrow(/^TURN_SECRET/);
    expect(load({ TURN_URL: 'turn:1.2.3.4', TURN_SECRET: 'shared-secret', TURN_TTL_SECONDS: '5' })).toThrow(/^TURN_TTL_SECONDS/);
  });

  test('the defaults: a day, every route', () => {
    const config = loadConfig({ PORT: '0' });
    expect([config.TURN_TTL_SECONDS, config.ICE_TRANSPORT_POLICY]).toEqual([86_400, 'all']);
  });
});
