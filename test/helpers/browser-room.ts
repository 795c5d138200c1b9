// Browsers around a media server, for scenarios driven through kurento-client: one Chromium
// per fake camera given (or one without), a pipeline per test, pages that send or watch, and
// a viewer of any element. The room owns its browsers, pages and pipelines; clear() ends a
// test's and checks none is left on the media server.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import type { Browser } from 'playwright-core';
import { BrowserPeer, PeerPageServer } from './browser-peer';
import { launchChromium } from './browser';
import { fakeCameraArgs, type FakeCamera } from './fake-camera';
import { call, connect, disconnect, negotiateBrowserOffer } from './kurento';

/** The middle of a 320x240 picture, away from its edges. */
export const CAMERA_AREA = { x: 20, y: 20, width: 280, height: 200 };

export class BrowserRoom {
  pipeline: any;
  private readonly peers: BrowserPeer[] = [];

  protected constructor(
    readonly client: any,
    private readonly pages: PeerPageServer,
    /** One browser per camera, in the order given. */
    readonly browsers: Browser[],
  ) {}

  protected static async launch(url: string, cameras: FakeCamera[]): Promise<[any, PeerPageServer, Browser[]]> {
    const client = await connect(url);
    const pages = await PeerPageServer.start();
    const browsers: Browser[] = [];
    for (const cam of cameras) browsers.push(await launchChromium(fakeCameraArgs(cam)));
    if (cameras.length === 0) browsers.push(await launchChromium());
    return [client, pages, browsers];
  }

  static async open(url: string, cameras: FakeCamera[] = []): Promise<BrowserRoom> {
    return new BrowserRoom(...(await BrowserRoom.launch(url, cameras)));
  }

  async newPipeline(): Promise<any> {
    this.pipeline = await call<any>(this.client, 'create', 'MediaPipeline');
    return this.pipeline;
  }

  /** Closes the test's pages and releases its pipeline; none may be left on the media server. */
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

  /** A page with a peer connection in `browser` (the first unless named), closed by clear(). */
  async peer(
    opts: { send: boolean; video?: { width: number; height: number } },
    browser = this.browsers[0]!,
  ): Promise<BrowserPeer> {
    const peer = await BrowserPeer.open(browser, this.pages, opts);
    this.peers.push(peer);
    return peer;
  }

  /** Kurento's filter tutorials' loop: the camera → a WebRtcEndpoint → `filter` → back to the page. */
  async loopThrough(filter: any): Promise<BrowserPeer> {
    const webRtc = await call<any>(this.pipeline, 'create', 'WebRtcEndpoint');
    await call(webRtc, 'connect', filter);
    await call(filter, 'connect', webRtc);
    const peer = await this.peer({ send: true });
    await negotiateBrowserOffer(peer, webRtc);
    return peer;
  }

  /** A browser watching what `source` gives out, through a new WebRtcEndpoint. */
  async viewer(source: any): Promise<BrowserPeer> {
    const endpoint = await call<any>(this.pipeline, 'create', 'WebRtcEndpoint');
    await call(source, 'connect', endpoint);
    const peer = await this.peer({ send: false });
    await negotiateBrowserOffer(peer, endpoint);
    return peer;
  }
}

/**
 * A suite's room: opened before its tests, a pipeline made for each test and cleared after
 * it, closed at the end. Call it where the suite's hooks go; use the getter in tests.
 */
export function withRoom<R extends BrowserRoom>(open: () => Promise<R>): () => R {
  let room: R | undefined;
  beforeAll(async () => {
    room = await open();
  });
  beforeEach(async () => {
    await room!.newPipeline();
  });
  afterEach(async () => {
    await room!.clear();
  });
  afterAll(async () => {
    await room?.close();
  });
  return () => room!;
}
