// TURN through a real coturn on loopback: the embedded engine, given a TURN URL, gathers a
// relay candidate; a browser restricted to relay candidates gets its camera back through the
// relay. Both prove that media crossed coturn, not a direct path.

/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports --
   driven through kurento-client untyped, as an application would */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { parse } from 'yaml';
import type { Browser } from 'playwright-core';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { projectRoot } from '../../server/util/paths';
import { eventually, freePort } from '../helpers/app';
import { Coturn } from '../helpers/coturn';
import { launchChromium } from '../helpers/browser';
import { BrowserPeer, PeerPageServer } from '../helpers/browser-peer';

const kurento = require('kurento-client');
const USER = 'stage';
const PASSWORD = 'relay-secret';

const call = <T>(obj: any, method: string, ...args: unknown[]): Promise<T> =>
  new Promise<T>((resolve, reject) => obj[method](...args, (err: unknown, v: T) => (err ? reject(err) : resolve(v))));

describe('TURN relay through coturn', () => {
  let coturn: Coturn | undefined;
  let engine: EngineProcess | undefined;
  let client: any;
  let browser: Browser;
  let pages: PeerPageServer;

  beforeAll(async () => {
    coturn = await Coturn.start({ user: USER, password: PASSWORD });
    const turnPort = coturn.port;
    engine = await EngineProcess.start(pino({ level: 'warn' }), {
      logLevel: 'warn',
      env: { ENGINE_TURN_URL: `${USER}:${PASSWORD}@127.0.0.1:${turnPort}` },
    });
    client = await new Promise((resolve, reject) =>
      kurento(engine!.url, { failAfter: 5 }, (err: unknown, c: unknown) => (err ? reject(err) : resolve(c))),
    );
    browser = await launchChromium();
    pages = await PeerPageServer.start();
  });

  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    client?.close();
    await engine?.stop();
    await coturn?.stop();
  });

  test('the engine gathers a relay candidate and a relay-only browser gets its camera back', async () => {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    try {
      const endpoint = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
      await call(endpoint, 'connect', endpoint);
      const peer = await BrowserPeer.open(browser, pages, {
        send: true,
        rtc: {
          iceServers: [{ urls: `turn:127.0.0.1:${coturn!.port}?transport=udp`, username: USER, credential: PASSWORD }],
          iceTransportPolicy: 'relay',
        },
      });
      const engineCandidates: string[] = [];
      endpoint.on('IceCandidateFound', (e: any) => {
        engineCandidates.push(e.candidate.candidate);
        peer.addCandidate(e.candidate).catch(() => undefined);
      });
      const browserCandidates: string[] = [];
      peer.onCandidate((c) => {
        browserCandidates.push(c.candidate);
        endpoint.addIceCandidate(kurento.getComplexType('IceCandidate')(c), () => undefined);
      });
      await peer.setAnswer(await call<string>(endpoint, 'processOffer', await peer.createOffer()));
      await call(endpoint, 'gatherCandidates');

      const decoded = await eventually(
        () => peer.videoStats(),
        (s) => s.framesDecoded > 0,
        20_000,
      );
      expect(decoded.framesDecoded).toBeGreaterThan(0);
      expect(engineCandidates.some((c) => / typ relay /.test(c))).toBe(true);
      // The browser had nothing but relay candidates, so the media went through coturn.
      expect(browserCandidates.length).toBeGreaterThan(0);
      expect(browserCandidates.every((c) => / typ relay /.test(c))).toBe(true);
      const localType = await peer.page.evaluate(async () => {
        const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
        let type = '';
        const stats = await pc.getStats();
        stats.forEach((s: { type: string; nominated?: boolean; state?: string; localCandidateId?: string }) => {
          if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) {
            type = (stats.get(s.localCandidateId!) as { candidateType?: string } | undefined)?.candidateType ?? '';
          }
        });
        return type;
      });
      expect(localType).toBe('relay');
      await peer.close();
    } finally {
      await call(pipeline, 'release');
    }
  }, 60_000);

  test("docker/compose.yml's coturn health check passes against a listening coturn, and fails without one", async () => {
    // The compose file's own command and timeout, given the test's port (compose's coturn is
    // on 3478). With nothing listening the probe never answers: Docker's timeout fails it.
    const compose = parse(readFileSync(join(projectRoot, 'docker', 'compose.yml'), 'utf8')) as {
      services: { coturn: { healthcheck: { test: string[]; timeout: string } } };
    };
    const { test: check, timeout } = compose.services.coturn.healthcheck;
    const [kind, command, ...args] = check;
    expect(kind).toBe('CMD');
    const timeoutMs = Number(/^(\d+)s$/.exec(timeout)![1]) * 1000;
    const probe = (port: number) =>
      spawnSync(command!, [...args.slice(0, -1), '-p', String(port), args.at(-1)!], { encoding: 'utf8', timeout: timeoutMs });
    const answered = probe(coturn!.port);
    expect({ status: answered.status, output: answered.stdout }).toMatchObject({
      status: 0,
      output: expect.stringMatching(/UDP reflexive addr: 127\.0\.0\.1:/),
    });
    const unanswered = probe(await freePort());
    expect(unanswered.status).not.toBe(0);
  }, 30_000);
});
