// The filter tests' set-up, as Kurento's filter tutorials wire it: camera → WebRtcEndpoint →
// filter → the same WebRtcEndpoint → the page's remote video, with the filter's Error events
// collected. What it builds goes into the caller's lists, for its afterEach to release.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import type { Browser } from 'playwright-core';
import { BrowserPeer, type PeerPageServer } from './browser-peer';
import { eventually } from './app';
import { helpersOf, type EngineHandle } from './gstreamer';
import { call, negotiateBrowserOffer } from './kurento';

export interface FilterLoop {
  peer: BrowserPeer;
  filter: any;
  errors: string[];
}

export async function loopThroughFilter(
  client: any,
  browser: Browser,
  pages: PeerPageServer,
  build: (pipeline: any) => Promise<any>,
  owned: { pipelines: any[]; peers: BrowserPeer[] },
): Promise<FilterLoop> {
  const pipeline = await call<any>(client, 'create', 'MediaPipeline');
  owned.pipelines.push(pipeline);
  const webRtc = await call<any>(pipeline, 'create', 'WebRtcEndpoint');
  const filter = await build(pipeline);
  const errors: string[] = [];
  filter.on('Error', (e: { description: string }) => errors.push(e.description));
  await call(webRtc, 'connect', filter);
  await call(filter, 'connect', webRtc);
  const peer = await BrowserPeer.open(browser, pages, { send: true });
  owned.peers.push(peer);
  await negotiateBrowserOffer(peer, webRtc);
  return { peer, filter, errors };
}

/**
 * The filter tests' afterEach: closes the pages and releases the pipelines in `owned`, then
 * checks that the media server holds no pipeline and that every GStreamer process ended.
 */
export async function releaseOwned(
  client: any,
  engine: EngineHandle,
  owned: { pipelines: any[]; peers: BrowserPeer[] },
): Promise<void> {
  await Promise.all(owned.peers.splice(0).map((p) => p.close()));
  await Promise.all(owned.pipelines.splice(0).map((p) => call(p, 'release')));
  const manager = await call<any>(client, 'getServerManager');
  expect(await call<unknown[]>(manager, 'getPipelines')).toHaveLength(0);
  expect(await eventually(helpersOf(engine), (n) => n === 0, 3000)).toBe(0);
}
