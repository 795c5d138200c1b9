// The conformance suite: what Kurento applications do through the unmodified kurento-client,
// asserted as KMS behaves. It runs against whatever media server `target()` names: the
// embedded engine in CI (embedded.test.ts), a real KMS 7 under testcontainers where Docker
// exists (test/docker/kms.test.ts). Browser peers are real Chromium pages.

/* eslint-disable @typescript-eslint/no-explicit-any --
   applications drive kurento-client untyped, and so does this suite, on purpose */
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { BrowserPeer, PeerPageServer, sentBitrate, type VideoStats } from '../helpers/browser-peer';
import { BUSY_CAMERA, fakeCameraArgs } from '../helpers/fake-camera';
import { eventually } from '../helpers/app';
import { DroppableLink } from '../helpers/droppable-link';
import { call, complexType, connect, disconnect, negotiateBrowserOffer, negotiateServerOffer, trickle } from '../helpers/kurento';

export interface MediaServerTarget {
  url: string;
  /** Reported in the test output, so the rates can be compared across targets. */
  label: string;
  /** A folder this host writes and the media server reads at the same path, if there is one. */
  mediaDir?: string;
}

const decoding = (peer: BrowserPeer, timeoutMs = 15_000): Promise<VideoStats> =>
  eventually(
    () => peer.videoStats(),
    (s) => s.framesDecoded > 0 && s.frameWidth > 0,
    timeoutMs,
  );

async function expectStillDecoding(peer: BrowserPeer): Promise<void> {
  const before = await decoding(peer);
  const after = await eventually(
    () => peer.videoStats(),
    (s) => s.framesDecoded > before.framesDecoded + 5,
  );
  expect(after.framesDecoded).toBeGreaterThan(before.framesDecoded + 5);
}

export function conformanceSuite(target: () => MediaServerTarget): void {
  let client: any;
  let browser: Browser;
  let pages: PeerPageServer;
  const peers: BrowserPeer[] = [];
  const pipelines: any[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  const openPeer = async (send: boolean): Promise<BrowserPeer> => {
    const peer = await BrowserPeer.open(browser, pages, { send });
    peers.push(peer);
    return peer;
  };
  const newPipeline = async (): Promise<any> => {
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    pipelines.push(pipeline);
    return pipeline;
  };

  beforeAll(async () => {
    client = await connect(target().url);
    browser = await launchChromium();
    pages = await PeerPageServer.start();
  });

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await Promise.all(cleanups.splice(0).map((c) => c()));
    await Promise.all(pipelines.splice(0).map((p) => call(p, 'release')));
    // Whatever a test built, the media server holds none of it afterwards.
    const manager = await call<any>(client, 'getServerManager');
    expect(await call<string[]>(manager, 'getPipelines')).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    if (client) await disconnect(client);
  });

  test('object life cycle: implicit transactions, children, parents, names, release', async () => {
    const pipeline = await newPipeline();
    // Same-tick creates go out as one implicit `transaction` request.
    const endpoints = await Promise.all([1, 2, 3, 4, 5].map(() => call<any>(pipeline, 'create', 'WebRtcEndpoint')));
    expect(new Set(endpoints.map((e) => e.id)).size).toBe(5);
    for (const e of endpoints) expect(e.id.startsWith(`${pipeline.id}/`)).toBe(true);

    const children = await call<any[]>(pipeline, 'getChildren');
    expect(children.map((c) => c.id).sort()).toEqual(endpoints.map((e) => e.id).sort());
    const parent = await call<any>(endpoints[0], 'getParent');
    expect(parent.id).toBe(pipeline.id);
    const owner = await call<any>(endpoints[0], 'getMediaPipeline');
    expect(owner.id).toBe(pipeline.id);

    await call(endpoints[1], 'setName', 'camera-1');
    expect(await call(endpoints[1], 'getName')).toBe('camera-1');

    await call(pipeline, 'release');
    pipelines.splice(pipelines.indexOf(pipeline), 1);
    // Releasing a pipeline releases its children: the media server no longer knows them.
    const err = await call(endpoints[2], 'getName').catch((e: { code?: number }) => e);
    expect((err as { code?: number }).code).toBe(40101);
  });

  test('events and tags: ElementConnected, tags, unsubscribe', async () => {
    const pipeline = await newPipeline();
    const [a, b] = await Promise.all([
      call<any>(pipeline, 'create', 'PassThrough'),
      call<any>(pipeline, 'create', 'PassThrough'),
    ]);
    const connected: any[] = [];
    a.on('ElementConnected', (e: any) => connected.push(e));
    await call(a, 'connect', b, 'VIDEO');
    const events = await eventually(
      () => connected,
      (c) => c.length > 0,
    );
    expect(events[0].mediaType).toBe('VIDEO');
    expect(events[0].sink.id ?? events[0].sink).toBe(b.id);
    const sinks = await call<any[]>(a, 'getSinkConnections', 'VIDEO');
    expect(sinks.map((c) => c.sink.id ?? c.sink)).toEqual([b.id]);

    await call(a, 'addTag', 'room', 'blue');
    await call(a, 'addTag', 'user', 'ada');
    expect(await call(a, 'getTag', 'room')).toBe('blue');
    const tags = await call<{ key: string; value: string }[]>(a, 'getTags');
    expect(tags.map((t) => `${t.key}=${t.value}`).sort()).toEqual(['room=blue', 'user=ada']);
    const stats = await call<Record<string, any>>(a, 'getStats');
    expect(Object.values(stats).map((x) => x.type)).toContain('element');
    await call(a, 'removeTag', 'room');
    const missing = await call(a, 'getTag', 'room').catch((e: { code?: number }) => e);
    expect((missing as { code?: number }).code).toBeGreaterThanOrEqual(40000);
  });

  test('the errors for bad parameters and unknown objects', async () => {
    const pipeline = await newPipeline();
    // Unknown object.
    const ghost = await call(
      client,
      'getMediaobjectById',
      `${pipeline.id}/00000000-0000-0000-0000-000000000000_kurento.WebRtcEndpoint`,
    ).catch((e: { code?: number }) => e);
    expect((ghost as { code?: number }).code).toBe(40101);
    // Bad parameter: an SDP offer that is not SDP.
    const endpoint = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const bad = await call(endpoint, 'processOffer', 'this is not SDP').catch((e: { code?: number; message?: string }) => e);
    expect((bad as { code?: number }).code).toBeGreaterThanOrEqual(40200);
    expect((bad as { code?: number }).code).toBeLessThan(40300);
    // Unknown type.
    const type = await call(pipeline, 'create', 'NoSuchElement').catch((e: unknown) => e);
    expect(type).toBeInstanceOf(Error);
  });

  test('a browser offers, the media server answers; loopback is held to maxVideoSendBandwidth, then reaches the camera’s full rate', async () => {
    const pipeline = await newPipeline();
    const endpoint = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const states: string[] = [];
    endpoint.on('MediaStateChanged', (e: any) => states.push(e.newState));
    const pairs: any[] = [];
    endpoint.on('NewCandidatePairSelected', (e: any) => pairs.push(e.candidatePair));
    await call(endpoint, 'connect', endpoint);
    // A camera as hard to compress as a real one, at 30 fps (Chrome's own fake is neither).
    const busyBrowser = await launchChromium(fakeCameraArgs(BUSY_CAMERA));
    const peer = await BrowserPeer.open(busyBrowser, pages, { send: true });
    cleanups.push(() => busyBrowser.close());
    await negotiateBrowserOffer(peer, endpoint);
    await decoding(peer);
    expect(
      await eventually(
        () => states,
        (s) => s.includes('CONNECTED'),
      ),
    ).toContain('CONNECTED');

    // The rate is measured over sliding 2 s windows until one is as asked, so a slow
    // ramp on a busy machine only takes longer.
    let previous = await peer.videoStats();
    const sending = (ok: (m: { bps: number; stats: typeof previous }) => boolean, what: string) =>
      eventually(
        async () => {
          await new Promise((r) => setTimeout(r, 2000));
          const now = await peer.videoStats();
          const measured = { bps: sentBitrate(previous, now), stats: now };
          previous = now;
          return measured;
        },
        ok,
        40_000,
        what,
      );
    // The endpoint is its own sink, and a sink asks no more of its publisher than its
    // maxVideoSendBandwidth, 500 kbps by default (KMS's REMB; the kmd says so).
    await sending((m) => m.bps > 50_000 && m.bps <= 600_000, 'the browser to send no more than about 500 kbps');
    // Lifted, bandwidth feedback must let the browser send at its real rate (DESIGN.md §6:
    // about 450 kbps with no feedback at all).
    await call(endpoint, 'setMaxVideoSendBandwidth', 4000);
    const window = await sending(
      (m) => m.bps >= 1.2e6 && m.stats.sentWidth === 640 && m.stats.sentFps >= 25,
      'the browser to send 640 px at 25 fps or more and 1.2 Mbps or more',
    );
    const b = window.stats;
    const stats = await call<Record<string, any>>(endpoint, 'getStats', 'VIDEO');
    const inbound = Object.values(stats).find((s) => s.type === 'inboundrtp');
    console.log(
      `[${target().label}] browser → media server: ${(window.bps / 1e6).toFixed(2)} Mbps, ${b.sentWidth}px wide at ${b.sentFps} fps; ` +
        `REMB announced ${(Number(inbound?.remb ?? 0) / 1e6).toFixed(2)} Mbps; browser estimate ` +
        `${(b.availableOutgoingBitrate / 1e6).toFixed(2)} Mbps, limited by ${b.qualityLimitationReason || 'nothing'}`,
    );
    expect(Number(inbound?.packetsReceived)).toBeGreaterThan(0);
    expect(pairs.length).toBeGreaterThan(0);
  }, 90_000);

  test('the tutorials’ order: processOffer, then gatherCandidates without waiting for the answer', async () => {
    const pipeline = await newPipeline();
    const endpoint = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    await call(endpoint, 'connect', endpoint);
    const peer = await openPeer(true);
    // The browser takes the media server's candidates once it has the answer, as
    // kurento-utils does; its own go to the media server at once.
    const early: any[] = [];
    let answerSet = false;
    endpoint.on('IceCandidateFound', (e: any) => (answerSet ? peer.addCandidate(e.candidate) : early.push(e.candidate)));
    peer.onCandidate((c) => endpoint.addIceCandidate(complexType('IceCandidate', c)));
    const offer = await peer.createOffer();
    // As hello-world's server.js does it: both requests leave before either is answered.
    const answered = new Promise<string>((resolve, reject) =>
      endpoint.processOffer(offer, (err: unknown, answer: string) => (err ? reject(err) : resolve(answer))),
    );
    const gathered = new Promise<void>((resolve, reject) =>
      endpoint.gatherCandidates((err: unknown) => (err ? reject(err) : resolve())),
    );
    const [answer] = await Promise.all([answered, gathered]);
    await peer.setAnswer(answer);
    answerSet = true;
    await Promise.all(early.map((c) => peer.addCandidate(c)));
    await decoding(peer);
  });

  test('an offer in the older RTP/SAVPF profile is answered in it, and the media flows', async () => {
    const pipeline = await newPipeline();
    const endpoint = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    await call(endpoint, 'connect', endpoint);
    const peer = await openPeer(true);
    trickle(peer, endpoint);
    const offer = (await peer.createOffer()).replace(/UDP\/TLS\/RTP\/SAVPF/g, 'RTP/SAVPF');
    const answer = await call<string>(endpoint, 'processOffer', offer);
    expect(answer.split('\r\n').filter((l) => /^m=(audio|video)/.test(l))).toEqual([
      expect.stringMatching(/^m=audio \d+ RTP\/SAVPF /),
      expect.stringMatching(/^m=video \d+ RTP\/SAVPF /),
    ]);
    await peer.setAnswer(answer);
    await call(endpoint, 'gatherCandidates');
    await decoding(peer);
  });

  test('the media server offers, the browser answers; one source reaches three sinks', async () => {
    const pipeline = await newPipeline();
    const source = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const publisher = await openPeer(true);
    await negotiateBrowserOffer(publisher, source);

    const sinks = await Promise.all([1, 2, 3].map(() => call<any>(pipeline, 'create', 'WebRtcEndpoint')));
    const viewers = await Promise.all(sinks.map(() => openPeer(false)));
    for (const sink of sinks) await call(source, 'connect', sink);
    // Two viewers offer, one answers the media server's offer.
    await negotiateBrowserOffer(viewers[0]!, sinks[0]);
    await negotiateBrowserOffer(viewers[1]!, sinks[1]);
    await negotiateServerOffer(viewers[2]!, sinks[2]);
    for (const v of viewers) expect((await decoding(v)).frameWidth).toBe(640);

    // Releasing one sink does not disturb the others.
    await call(sinks[0], 'release');
    await expectStillDecoding(viewers[1]!);
    await expectStillDecoding(viewers[2]!);
  }, 60_000);

  test('maxVideoRecvBandwidth and maxAudioRecvBandwidth cap what the browser sends', async () => {
    const pipeline = await newPipeline();
    const endpoint = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    await call(endpoint, 'connect', endpoint);
    await call(endpoint, 'setMaxVideoRecvBandwidth', 250);
    await call(endpoint, 'setMaxAudioRecvBandwidth', 20);
    expect(await call(endpoint, 'getMaxVideoRecvBandwidth')).toBe(250);
    const busyBrowser = await launchChromium(fakeCameraArgs(BUSY_CAMERA));
    cleanups.push(() => busyBrowser.close());
    const peer = await BrowserPeer.open(busyBrowser, pages, { send: true });
    await negotiateBrowserOffer(peer, endpoint);
    const answer = await call<string>(endpoint, 'getLocalSessionDescriptor');
    const section = (kind: string): string => answer.split(/\r\nm=/).find((m) => m.startsWith(kind)) ?? '';
    expect(section('video')).toMatch(/\r\nb=AS:250\r\n/);
    expect(section('audio')).toMatch(/\r\nb=AS:20\r\n/);
    await decoding(peer);
    // A camera this busy would send well over 1 Mbps (see above); capped, it stays near 250 kbps.
    await new Promise((r) => setTimeout(r, 3000));
    const a = await peer.videoStats();
    await new Promise((r) => setTimeout(r, 3000));
    const b = await peer.videoStats();
    expect(sentBitrate(a, b)).toBeLessThan(250_000 * 1.2);
    expect(sentBitrate(a, b)).toBeGreaterThan(10_000);
  }, 60_000);

  test('H.264 when the browser offers only H.264', async () => {
    const pipeline = await newPipeline();
    const endpoint = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    await call(endpoint, 'connect', endpoint);
    const peer = await openPeer(true);
    await negotiateBrowserOffer(peer, endpoint, 'video/H264');
    const answer = await call<string>(endpoint, 'getLocalSessionDescriptor');
    expect(answer).toMatch(/a=rtpmap:\d+ H264\/90000/);
    expect(answer).not.toMatch(/VP8/);
    expect((await decoding(peer)).frameWidth).toBe(640);
  }, 60_000);

  test('a sink that joins late gets a keyframe and shows video', async () => {
    const pipeline = await newPipeline();
    const source = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const publisher = await openPeer(true);
    await negotiateBrowserOffer(publisher, source);
    await eventually(
      () => call<boolean>(source, 'isMediaFlowingOut', 'VIDEO'),
      (v) => v === true,
    );
    // Chrome's encoder sends keyframes only at start and on request: long after the start,
    // this sink decodes only if its keyframe request reached the publisher.
    await new Promise((r) => setTimeout(r, 3000));
    const sink = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const viewer = await openPeer(false);
    await call(source, 'connect', sink);
    await negotiateBrowserOffer(viewer, sink);
    // From the moment the viewer's transport is up, the first frame must follow promptly; with
    // no keyframe request it would wait for the publisher's next keyframe, which never comes.
    await eventually(
      () => viewer.page.evaluate(() => (window as unknown as { pc: RTCPeerConnection }).pc.connectionState),
      (s) => s === 'connected',
      20_000,
    );
    const connectedAt = Date.now();
    const first = await decoding(viewer, 20_000);
    const delay = Date.now() - connectedAt;
    console.log(`[${target().label}] late sink: first decoded frame ${delay} ms after its transport connected`);
    expect(first.framesDecoded).toBeGreaterThan(0);
    expect(delay).toBeLessThan(5000);
  }, 60_000);

  test('session resume: after a dropped socket, the same session and objects are back', async () => {
    const link = await DroppableLink.open(target().url);
    const resumable = await connect(link.url);
    try {
      const pipeline = await call<any>(resumable, 'create', 'MediaPipeline');
      const sessionId = resumable.sessionId;
      const reconnected = new Promise<boolean>((r) => resumable.once('reconnected', (same: boolean) => r(same)));
      link.drop();
      expect(await reconnected).toBe(true);
      expect(resumable.sessionId).toBe(sessionId);
      await call(pipeline, 'setName', 'still-here');
      expect(await call(pipeline, 'getName')).toBe('still-here');
      await call(pipeline, 'release');
    } finally {
      await disconnect(resumable);
      await link.close();
    }
  }, 30_000);

  test('stats come in KMS shapes', async () => {
    const pipeline = await newPipeline();
    const endpoint = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    await call(endpoint, 'connect', endpoint);
    const peer = await openPeer(true);
    await negotiateBrowserOffer(peer, endpoint);
    await decoding(peer);
    const stats = await eventually(
      () => call<Record<string, any>>(endpoint, 'getStats'),
      (s) => Object.values(s).some((x) => x.type === 'outboundrtp' && Number(x.packetsSent) > 0),
    );
    const types = new Set(Object.values(stats).map((s) => s.type));
    for (const t of ['inboundrtp', 'outboundrtp', 'endpoint']) expect(types.has(t)).toBe(true);
    // The round trip comes from the browser's receiver reports: measured, then small (on
    // loopback it may be below the clock's resolution, 0).
    const measured = await eventually(
      () => call<Record<string, any>>(endpoint, 'getStats', 'VIDEO'),
      (s) => Object.values(s).some((x) => x.type === 'outboundrtp' && typeof x.roundTripTime === 'number'),
      15_000,
    );
    const rtt = Object.values(measured).find((x) => x.type === 'outboundrtp').roundTripTime as number;
    expect(rtt).toBeGreaterThanOrEqual(0);
    expect(rtt).toBeLessThan(1);
    for (const s of Object.values(stats)) {
      expect(typeof s.id).toBe('string');
      expect(typeof s.timestampMillis).toBe('number');
    }
  }, 60_000);
}
