// Browsers in and around KMS hubs, for the hub tests: three Chromiums with plain-coloured
// cameras (red, green, blue), members that send their camera into a HubPort and get the
// port's output back, viewers that watch a port, and readings of what a page shows (its
// colour) and hears (its loudness). The room owns its browsers, pages and pipelines.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import type { Browser } from 'playwright-core';
import { RawClient } from '../conformance/wire';
import { eventually } from './app';
import type { BrowserPeer } from './browser-peer';
import { BrowserRoom, CAMERA_AREA } from './browser-room';
import type { FakeCamera } from './fake-camera';
import { captureFrame, colourOf, meanColour, type Colour } from './frames';
import { call, negotiateBrowserOffer, newHubPort } from './kurento';

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

export class HubRoom extends BrowserRoom {
  static override async open(url: string): Promise<HubRoom> {
    return new HubRoom(...(await BrowserRoom.launch(url, [RED, GREEN, BLUE])));
  }

  /** A browser in a call through a new port of `hub`: its camera goes in, the port's output comes back. */
  async memberOf(hub: any, browser: Browser, video = CAMERA_SIZE): Promise<Member> {
    const endpoint = await call<any>(this.pipeline, 'create', 'WebRtcEndpoint');
    const { port } = await newHubPort(hub);
    await call(endpoint, 'connect', port);
    await call(port, 'connect', endpoint);
    const peer = await this.peer({ send: true, video }, browser);
    await negotiateBrowserOffer(peer, endpoint);
    // The camera reaches the pipeline (MediaFlowOut, as KMS reports a browser's media leaving
    // its endpoint) before any scenario reads the hub's picture: under load, a third browser's
    // connection can take longer than the picture checks allow, and that is not the hub's doing.
    await eventually(
      () => call<boolean>(endpoint, 'isMediaFlowingOut', 'VIDEO'),
      (flowing) => flowing,
      30_000,
      'the member camera to reach the pipeline',
    );
    return { port, peer, endpoint };
  }

  /** A browser that shows what a new port of `hub` gives out. */
  async viewerOf(hub: any): Promise<{ port: any; peer: BrowserPeer }> {
    const { port } = await newHubPort(hub);
    const peer = await this.viewer(port);
    return { port, peer };
  }

  /** Waits until the viewer shows `colour`; resolves with how long that took. */
  async shows(peer: BrowserPeer, colour: Colour, timeoutMs = 20_000): Promise<number> {
    const started = Date.now();
    await eventually(
      async () => colourOf(meanColour(await captureFrame(peer.page), CAMERA_AREA)),
      (c) => c === colour,
      timeoutMs,
      `the viewer to show ${colour}`,
    );
    return Date.now() - started;
  }
}
