// KMS's hubs in the embedded media server, driven through the unmodified kurento-client:
// browsers send plain-coloured cameras into HubPorts, another browser watches a port, and
// the test reads the colours it shows as the routing changes (Dispatcher,
// DispatcherOneToMany) or the grid forms (Composite), and the audio each port gets.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import pino from 'pino';
import type { Browser } from 'playwright-core';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { eventually } from '../helpers/app';
import { BrowserPeer, PeerPageServer } from '../helpers/browser-peer';
import { launchChromium } from '../helpers/browser';
import { fakeCameraArgs, type FakeCamera } from '../helpers/fake-camera';
import { captureFrame, meanColour, type Rgb } from '../helpers/frames';
import { call, connect, negotiateBrowserOffer, newHubPort } from '../helpers/kurento';
import { RawClient } from '../conformance/wire';

jest.setTimeout(120_000);

const camera = (name: string, colour: string): FakeCamera => ({
  name: `${name}-640x480-15`,
  lavfi: `color=c=${colour}:s=640x480:r=15`,
  seconds: 3,
});
const RED = camera('red', '0xD02020');
const GREEN = camera('green', '0x20B040');
const BLUE = camera('blue', '0x2040D0');
const WHOLE = { x: 40, y: 40, width: 560, height: 400 };

type Colour = 'red' | 'green' | 'blue' | 'other';
const colourOf = ([r, g, b]: Rgb): Colour =>
  r > 150 && g < 90 && b < 90 ? 'red' : g > 130 && r < 90 && b < 120 ? 'green' : b > 150 && r < 90 && g < 120 ? 'blue' : 'other';

/** How loud what a page receives is (RMS of the received audio over half a second, 0 to 1), read with Web Audio. */
async function loudness(peer: BrowserPeer): Promise<number> {
  return peer.page.evaluate(async () => {
    const w = window as unknown as { analyser?: AnalyserNode };
    if (!w.analyser) {
      const video = document.querySelector('video') as HTMLVideoElement;
      const context = new AudioContext();
      await context.resume();
      w.analyser = context.createAnalyser();
      context.createMediaStreamSource(video.srcObject as MediaStream).connect(w.analyser);
    }
    const samples = new Float32Array(w.analyser.fftSize);
    let peak = 0;
    for (let i = 0; i < 10; i++) {
      w.analyser.getFloatTimeDomainData(samples);
      peak = Math.max(peak, Math.sqrt(samples.reduce((sum, v) => sum + v * v, 0) / samples.length));
      await new Promise((r) => setTimeout(r, 50));
    }
    return peak;
  });
}

/**
 * The id of an object's parent, asked on the wire. NOTE: kurento-client's getParent never
 * answers for a port made by createHubPort (the port's '_describe' event is not wired to the
 * client), so the question goes around it.
 */
async function parentIdOf(url: string, object: any): Promise<string> {
  const raw = await RawClient.open(url);
  try {
    const reply = await raw.request('invoke', { object: object.id, operation: 'getParent', operationParams: {} });
    return String(reply.result?.value);
  } finally {
    raw.close();
  }
}

describe('KMS hubs in the embedded media server', () => {
  let engine: EngineProcess;
  let client: any;
  let pages: PeerPageServer;
  const browsers: Browser[] = [];
  const peers: BrowserPeer[] = [];
  let pipeline: any;

  beforeAll(async () => {
    engine = await EngineProcess.start(pino({ level: 'warn' }), { logLevel: 'warn' });
    client = await connect(engine.url);
    pages = await PeerPageServer.start();
    for (const cam of [RED, GREEN, BLUE]) browsers.push(await launchChromium(fakeCameraArgs(cam)));
  });

  beforeEach(async () => {
    pipeline = await call<any>(client, 'create', 'MediaPipeline');
  });

  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await call(pipeline, 'release');
    const manager = await call<any>(client, 'getServerManager');
    expect(await call<unknown[]>(manager, 'getPipelines')).toHaveLength(0);
  });

  afterAll(async () => {
    client?.close();
    for (const b of browsers) await b.close();
    await pages?.close();
    await engine?.stop();
  });

  /** A browser in a call through a new port of `hub`: its camera goes in, the port's output comes back. */
  async function memberOf(hub: any, browser: Browser): Promise<{ port: any; peer: BrowserPeer; endpoint: any }> {
    const endpoint = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const { port } = await newHubPort(hub);
    await call(endpoint, 'connect', port);
    await call(port, 'connect', endpoint);
    const peer = await BrowserPeer.open(browser, pages, { send: true });
    peers.push(peer);
    await negotiateBrowserOffer(peer, endpoint);
    return { port, peer, endpoint };
  }

  /** A browser that shows what a new port of `hub` gives out. */
  async function viewerOf(hub: any): Promise<{ port: any; peer: BrowserPeer }> {
    const endpoint = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
    const { port } = await newHubPort(hub);
    await call(port, 'connect', endpoint);
    const peer = await BrowserPeer.open(browsers[0]!, pages, { send: false });
    peers.push(peer);
    await negotiateBrowserOffer(peer, endpoint);
    return { port, peer };
  }

  /** Waits until the viewer shows `colour`; resolves with how long that took. */
  async function shows(peer: BrowserPeer, colour: Colour, timeoutMs = 20_000): Promise<number> {
    const started = Date.now();
    await eventually(
      async () => colourOf(meanColour(await captureFrame(peer.page), WHOLE)),
      (c) => c === colour,
      timeoutMs,
      `the viewer to show ${colour}`,
    );
    return Date.now() - started;
  }

  test('Dispatcher: each sink port gives what its source port takes in, and a switch shows at once', async () => {
    const hub = await call<any>(pipeline, 'create', 'Dispatcher');
    expect(await parentIdOf(engine.url, hub)).toBe(pipeline.id);
    const red = (await memberOf(hub, browsers[0]!)).port;
    const green = (await memberOf(hub, browsers[1]!)).port;
    const viewer = await viewerOf(hub);
    expect(await parentIdOf(engine.url, viewer.port)).toBe(hub.id); // as in KMS: a port's parent is its hub

    await call(hub, 'connect', red, viewer.port);
    await shows(viewer.peer, 'red');
    // The switch asks the new source for a keyframe: the picture changes without waiting
    // for the browser's next one (Chrome sends keyframes only when asked).
    await call(hub, 'connect', green, viewer.port);
    const greenAfter = await shows(viewer.peer, 'green', 15_000);
    await call(hub, 'connect', red, viewer.port);
    const redAfter = await shows(viewer.peer, 'red', 15_000);
    console.log(`Dispatcher switch shown after ${greenAfter} ms and ${redAfter} ms (frame capture included)`);

    // A port of another hub is refused in words.
    const other = await call<any>(pipeline, 'create', 'Dispatcher');
    const { port: stranger } = await newHubPort(other);
    await expect(call(hub, 'connect', stranger, viewer.port)).rejects.toThrow(/belongs to another hub/);
  });

  test('DispatcherOneToMany: every port gives the source, which can change or go', async () => {
    const hub = await call<any>(pipeline, 'create', 'DispatcherOneToMany');
    const red = (await memberOf(hub, browsers[0]!)).port;
    const green = (await memberOf(hub, browsers[1]!)).port;
    const first = await viewerOf(hub);
    await call(hub, 'setSource', green);
    const second = await viewerOf(hub); // a port added after setSource gets the source too
    await shows(first.peer, 'green');
    await shows(second.peer, 'green');

    await call(hub, 'setSource', red);
    await shows(first.peer, 'red', 15_000);
    await shows(second.peer, 'red', 15_000);

    await call(hub, 'removeSource');
    // Nothing flows any more: the viewers' decoded frame counts stop.
    await new Promise((r) => setTimeout(r, 1500));
    const before = await first.peer.videoStats();
    await new Promise((r) => setTimeout(r, 2000));
    expect((await first.peer.videoStats()).framesDecoded).toBe(before.framesDecoded);

    // Releasing the source's port stops it being the source; the hub goes on.
    await call(hub, 'setSource', red);
    await shows(first.peer, 'red', 15_000);
    await call(red, 'release');
    await call(hub, 'setSource', green);
    await shows(second.peer, 'green', 15_000);
  });

  test('Composite: a grid of the pictures arriving, in port order, that adapts as inputs stop and resume', async () => {
    const hub = await call<any>(pipeline, 'create', 'Composite');
    const red = await memberOf(hub, browsers[0]!);
    await memberOf(hub, browsers[1]!);
    const blue = await memberOf(hub, browsers[2]!);
    const viewer = await viewerOf(hub);
    // 3 pictures: 2 columns, 2 rows of 400x300 in the default 800x600, the fourth cell black.
    const cells = async (): Promise<Colour[]> => {
      const frame = await captureFrame(viewer.peer.page);
      expect([frame.width, frame.height]).toEqual([800, 600]);
      return [
        [0, 0],
        [400, 0],
        [0, 300],
        [400, 300],
      ].map(([x, y]) => colourOf(meanColour(frame, { x: x! + 40, y: y! + 40, width: 320, height: 220 })));
    };
    await eventually(
      cells,
      (c) => c.join() === 'red,green,other,other' || c.join() === 'red,green,blue,other',
      20_000,
      'the grid',
    );
    const grid = await eventually(cells, (c) => c.join() === 'red,green,blue,other', 20_000, 'three cells');
    expect(grid).toEqual(['red', 'green', 'blue', 'other']);
    const black = meanColour(await captureFrame(viewer.peer.page), { x: 440, y: 340, width: 320, height: 220 });
    expect(Math.max(...black)).toBeLessThan(40);

    // The red camera's input stops (its port is disconnected from its source): two pictures,
    // side by side in two columns of one row. It comes back when its input resumes.
    await call(red.endpoint, 'disconnect', red.port);
    const two = async (): Promise<Colour[]> => {
      const frame = await captureFrame(viewer.peer.page);
      return [0, 400].map((x) => colourOf(meanColour(frame, { x: x + 40, y: 100, width: 320, height: 400 })));
    };
    expect(await eventually(two, (c) => c.join() === 'green,blue', 20_000, 'green and blue alone')).toEqual(['green', 'blue']);
    await call(red.endpoint, 'connect', red.port);
    expect(await eventually(cells, (c) => c.join() === 'red,green,blue,other', 20_000, 'red back')).toEqual(grid);

    // Audio: each member gets the others' voices and never its own. The blue member is
    // alone once the others leave: it then gets silence.
    expect(
      await eventually(
        () => loudness(blue.peer),
        (e) => e > 0.01,
        20_000,
        'blue to hear the others',
      ),
    ).toBeGreaterThan(0.01);
    await call(red.port, 'release');
    const ports = await call<any[]>(hub, 'getChildren');
    for (const port of ports) if (port.id !== blue.port.id) await call(port, 'release');
    expect(
      await eventually(
        () => loudness(blue.peer),
        (e) => e < 0.001,
        20_000,
        'blue alone to hear nothing',
      ),
    ).toBeLessThan(0.001);
  });

  test('releasing a hub releases its ports', async () => {
    const hub = await call<any>(pipeline, 'create', 'DispatcherOneToMany');
    const { port } = await newHubPort(hub);
    expect(await call<any[]>(hub, 'getChildren')).toEqual([expect.objectContaining({ id: port.id })]);
    await call(hub, 'release');
    expect(await call<any[]>(pipeline, 'getChildren')).toEqual([]);
    await expect(call(port, 'getName')).rejects.toThrow(/not found/);
  });
});
