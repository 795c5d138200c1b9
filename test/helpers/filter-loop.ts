// The filter tests' set-up, as Kurento's filter tutorials wire it: camera → WebRtcEndpoint →
// filter → the same WebRtcEndpoint → the page's remote video, with the filter's Error events
// collected. What it builds goes into the caller's lists, for its afterEach to release.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import type { Browser } from 'playwright-core';
import { BrowserPeer, type PeerPageServer } from './browser-peer';
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
