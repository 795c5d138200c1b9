// The engine's network settings, applied: ENGINE_MIN_PORT/ENGINE_MAX_PORT bound the UDP ports
// it uses, ENGINE_ADDRESSES limits the host candidates it announces, and ENGINE_EXTERNAL_IPV4
// announces a public address in place of a private one. The last two need an address besides
// loopback: the test adds a veth pair inside the private network namespace that npm test
// runs in (192.0.2.0/24, a documentation range; nothing is sent anywhere).

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { execFileSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually } from '../helpers/app';
import { launchChromium } from '../helpers/browser';
import { BrowserPeer, PeerPageServer } from '../helpers/browser-peer';
import { call, connect, negotiateBrowserOffer } from '../helpers/kurento';

jest.setTimeout(60_000);

const LAN_ADDRESS = '192.0.2.10';
const PUBLIC_ADDRESS = '198.51.100.7';

/** Only loopback exists: we are in a private namespace and may add interfaces of our own. */
const privateNamespace = Object.keys(networkInterfaces()).every((name) => name === 'lo');

describe('engine network settings', () => {
  let browser: Browser;
  let pages: PeerPageServer;

  beforeAll(async () => {
    browser = await launchChromium();
    pages = await PeerPageServer.start();
  });

  afterAll(async () => {
    await browser?.close();
    await pages?.close();
  });

  /** An engine with `env`, and a browser peer wired to a loopback endpoint on it. */
  async function loopbackOn(
    env: Record<string, string>,
  ): Promise<{ engine: EngineProcess; peer: BrowserPeer; candidates: string[]; close(): Promise<void> }> {
    const engine = await EngineProcess.start(pino({ level: 'warn' }), { logLevel: 'warn', env });
    let client: any;
    let pipeline: any;
    let peer: BrowserPeer | undefined;
    const close = async (): Promise<void> => {
      await peer?.close();
      if (pipeline) await call(pipeline, 'release');
      client?.close();
      await engine.stop();
    };
    try {
      client = await connect(engine.url);
      pipeline = await call<any>(client, 'create', 'MediaPipeline');
      const endpoint = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
      await call(endpoint, 'connect', endpoint);
      const candidates: string[] = [];
      let gathered = false;
      endpoint.on('IceCandidateFound', (e: any) => candidates.push(e.candidate.candidate));
      endpoint.on('IceGatheringDone', () => (gathered = true));
      peer = await BrowserPeer.open(browser, pages, { send: true });
      await negotiateBrowserOffer(peer, endpoint);
      await eventually(
        () => gathered,
        (g) => g,
        15_000,
        'IceGatheringDone',
      );
      return { engine, peer, candidates, close };
    } catch (err) {
      // Whatever the set-up got to is released: no engine process outlives a failed test.
      await close().catch(() => undefined);
      throw err;
    }
  }

  const address = (candidate: string): string => candidate.split(' ')[4]!;
  const port = (candidate: string): number => Number(candidate.split(' ')[5]);

  test('ENGINE_MIN_PORT and ENGINE_MAX_PORT bound every UDP port the engine uses, and media flows', async () => {
    const [min, max] = [47200, 47219];
    const run = await loopbackOn({ ENGINE_MIN_PORT: String(min), ENGINE_MAX_PORT: String(max) });
    try {
      expect(run.candidates.length).toBeGreaterThan(0);
      await eventually(
        () => run.peer.videoStats(),
        (v) => v.framesDecoded > 0,
        15_000,
        'the camera to come back through the engine',
      );
      for (const c of run.candidates) expect(port(c)).toBeGreaterThanOrEqual(min);
      for (const c of run.candidates) expect(port(c)).toBeLessThanOrEqual(max);
      // What the engine process has bound, as the kernel lists it.
      const bound = execFileSync('ss', ['-H', '-uanp'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(`pid=${run.engine.pid},`))
        .map((l) => Number(l.trim().split(/\s+/)[3]!.split(':').at(-1)));
      expect(bound.length).toBeGreaterThan(0);
      for (const p of bound) expect(p >= min && p <= max).toBe(true);
    } finally {
      await run.close();
    }
  });

  (privateNamespace ? describe : describe.skip)('with a LAN address besides loopback (private namespace only)', () => {
    beforeAll(() => {
      // A veth pair whose far end stays in this namespace too: an interface with a LAN-like
      // address, and no way out.
      execFileSync('ip', ['link', 'add', 'stage0', 'type', 'veth', 'peer', 'name', 'stage1']);
      execFileSync('ip', ['addr', 'add', `${LAN_ADDRESS}/24`, 'dev', 'stage0']);
      execFileSync('ip', ['link', 'set', 'stage0', 'up']);
      execFileSync('ip', ['link', 'set', 'stage1', 'up']);
    });

    afterAll(() => {
      execFileSync('ip', ['link', 'del', 'stage0']);
    });

    test('by default the LAN address is announced', async () => {
      const run = await loopbackOn({});
      try {
        expect(run.candidates.map(address)).toContain(LAN_ADDRESS);
      } finally {
        await run.close();
      }
    });

    test('ENGINE_ADDRESSES keeps the candidates to the addresses it names', async () => {
      const run = await loopbackOn({ ENGINE_ADDRESSES: '127.0.0.1' });
      try {
        expect(new Set(run.candidates.map(address))).toEqual(new Set(['127.0.0.1']));
      } finally {
        await run.close();
      }
    });

    test('ENGINE_EXTERNAL_IPV4 is announced in place of the LAN address', async () => {
      const run = await loopbackOn({ ENGINE_EXTERNAL_IPV4: PUBLIC_ADDRESS });
      try {
        const addresses = run.candidates.map(address);
        expect(addresses).toContain(PUBLIC_ADDRESS);
        expect(addresses).not.toContain(LAN_ADDRESS);
      } finally {
        await run.close();
      }
    });
  });

  if (!privateNamespace) {
    test.skip('ENGINE_ADDRESSES and ENGINE_EXTERNAL_IPV4: skipped, this run is not in a private network namespace (npm test makes one as root)', () =>
      undefined);
  }
});
