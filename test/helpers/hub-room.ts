// Browsers in and around KMS hubs, for the hub tests: three Chromiums with plain-coloured
// cameras (red, green, blue), members that send their camera into a HubPort and get the
// port's output back, viewers that watch a port, and readings of what a page shows (its
// colour) and hears (its loudness). The room owns its browsers, pages and pipelines.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import type { Browser } from 'playwright-core';
import { RawClient } from '../conformance/wire';
import { eventually } from './app';
import { BrowserPeer, PeerPageServer } from './browser-peer';
import { launchChromium } from './browser';
import { fakeCameraArgs, type FakeCamera } from './fake-camera';
import { captureFrame, meanColour, type Rgb } from './frames';
import { call, connect, disconnect, negotiateBrowserOffer, newHubPort } from './kurento';

const camera = (name: string, colour: string): FakeCamera => ({
  name: `${name}-320x240-15`,
  lavfi: `color=c=${colour}:s=320x240:r=15`,
  seconds: 3,
});
export const RED = camera('red', '0xD02020');
export const GREEN = camera('green', '0x20B040');
export const BLUE = camera('blue', '0x2040D0');
// Small pictures: three browsers send and watch at once on a laptop-sized machine.
export const CAMERA_SIZE = { width: 320, height: 240 };
export const WHOLE = { x: 20, y: 20, width: 280, height: 200 };

export type Colour = 'red' | 'green' | 'blue' | 'other';
export const colourOf = ([r, g, b]: Rgb): Colour =>
  r > 150 && g < 90 && b < 90 ? 'red' : g > 130 && r < 90 && b < 120 ? 'green' : b > 150 && r < 90 && g < 120 ? 'blue' : 'other';

/** How loud what a page receives is (RMS of the received audio over half a second, 0 to 1), read with Web Audio. */
export async function loudness(peer: BrowserPeer): Promise<number> {
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
export async function parentIdOf(url: string, object: any): Promise<string> {
  const raw = await RawClient.open(url);
  try {
    const reply = await raw.request('invoke', { object: object.id, operation: 'getParent', operationParams: {} });
    return String(reply.result?.value);
  } finally {
    raw.close();
  }
}

export interface Member {
  port: any;
  peer: BrowserPeer;
  endpoint: any;
}

export class HubRoom {
  pipeline: any;
  private readonly peers: BrowserPeer[] = [];

  private constructor(
    readonly client: any,
    private readonly pages: PeerPageServer,
    /** The red, green and blue cameras' browsers. */
    readonly browsers: Browser[],
  ) {}

  static async open(url: string): Promise<HubRoom> {
    const client = await connect(url);
    const pages = await PeerPageServer.start();
    const browsers: Browser[] = [];
    for (const cam of [RED, GREEN, BLUE]) browsers.push(await launchChromium(fakeCameraArgs(cam)));
    return new HubRoom(client, pages, browsers);
  }

  async newPipeline(): Promise<any> {
    this.pipeline = await call<any>(this.client, 'create', 'MediaPipeline');
    return this.pipeline;
  }

  /** Closes the pages and releases the pipeline; none may be left on the media server. */
  async clear(): Promise<void> {
    await Promise.all(this.peers.splice(0).map((p) => p.close()));
    await call(this.pipeline, 'release');
    const manager = await call<any>(this.client, 'getServerManager');
    expect(await call<unknown[]>(manager, 'getPipelines')).toHaveLength(0);
  }

  async close(): Promise<void> {
    await Promise.all(this.peers.splice(0).map((p) => p.close()));
    await disconnect(this.client);
    for (const b of this.browsers) await b.close();
    await this.pages.close();
  }

  /** A browser in a call through a new port of `hub`: its camera goes in, the port's output comes back. */
  async memberOf(hub: any, browser: Browser, video = CAMERA_SIZE): Promise<Member> {
    const endpoint = await call<any>(this.pipeline, 'create', 'WebRtcEndpoint');
    const { port } = await newHubPort(hub);
    await call(endpoint, 'connect', port);
    await call(port, 'connect', endpoint);
    const peer = await BrowserPeer.open(browser, this.pages, { send: true, video });
    this.peers.push(peer);
    await negotiateBrowserOffer(peer, endpoint);
    return { port, peer, endpoint };
  }

  /** A browser that shows what a new port of `hub` gives out. */
  async viewerOf(hub: any): Promise<{ port: any; peer: BrowserPeer }> {
    const endpoint = await call<any>(this.pipeline, 'create', 'WebRtcEndpoint');
    const { port } = await newHubPort(hub);
    await call(port, 'connect', endpoint);
    const peer = await BrowserPeer.open(this.browsers[0]!, this.pages, { send: false });
    this.peers.push(peer);
    await negotiateBrowserOffer(peer, endpoint);
    return { port, peer };
  }

  /** Waits until the viewer shows `colour`; resolves with how long that took. */
  async shows(peer: BrowserPeer, colour: Colour, timeoutMs = 20_000): Promise<number> {
    const started = Date.now();
    await eventually(
      async () => colourOf(meanColour(await captureFrame(peer.page), WHOLE)),
      (c) => c === colour,
      timeoutMs,
      `the viewer to show ${colour}`,
    );
    return Date.now() - started;
  }
}
