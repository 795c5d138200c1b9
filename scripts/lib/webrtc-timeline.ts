// When each step of a page's WebRTC set-up happened: the click arrived, the camera opened, the offer was made,
// the answer arrived, ICE connected, DTLS connected, the first remote frame was decoded. A
// script added before the page's own wraps getUserMedia and RTCPeerConnection (the demos are
// not changed) and keeps the first time of each step, in epoch milliseconds, so that two
// pages' timelines line up. Benchmarks read it to say where the time to media goes.

import { median } from './stats';
import type { Page } from 'playwright-core';

/** The steps, in the order they normally happen, with what the report calls them. */
export const STEPS = [
  ['click', 'the click reaches the page'],
  ['camera', 'camera open (getUserMedia)'],
  ['offer', 'offer created'],
  ['answer', 'answer received'],
  ['ice', 'ICE connected'],
  ['dtls', 'DTLS connected'],
  ['track', 'remote track'],
  ['frame', 'first remote frame decoded'],
] as const;
export type Step = (typeof STEPS)[number][0];
export type Timeline = Partial<Record<Step, number>>;

/** Runs in the page before its own scripts. Kept as plain ES2020 (it is not compiled). */
const INIT = `(() => {
  const now = () => performance.timeOrigin + performance.now();
  const marks = (window.__timeline = {});
  const mark = (step) => { if (!(step in marks)) marks[step] = now(); };
  // When the page got the click: the driver's own click takes a while to land (it waits for
  // the button to be still), which is not the page's time.
  window.addEventListener('click', (e) => mark('click'), { capture: true });
  const media = navigator.mediaDevices;
  const getUserMedia = media.getUserMedia.bind(media);
  media.getUserMedia = async (c) => { const s = await getUserMedia(c); mark('camera'); return s; };
  const Native = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('iceconnectionstatechange', () => {
        if (this.iceConnectionState === 'connected' || this.iceConnectionState === 'completed') mark('ice');
      });
      this.addEventListener('connectionstatechange', () => { if (this.connectionState === 'connected') mark('dtls'); });
      this.addEventListener('track', (e) => {
        mark('track');
        if (e.track.kind !== 'video') return;
        // The first frame the page could show: a video element fed by this track decoding it.
        const probe = document.createElement('video');
        probe.muted = true;
        probe.srcObject = new MediaStream([e.track]);
        probe.requestVideoFrameCallback(() => { mark('frame'); probe.srcObject = null; });
        probe.play().catch(() => undefined);
      });
    }
    async createOffer(...args) { const o = await super.createOffer(...args); mark('offer'); return o; }
    async setRemoteDescription(d) {
      if (d && d.type === 'answer') mark('answer');
      return super.setRemoteDescription(d);
    }
  };
})();`;

/** Makes every page of `page`'s context record its timeline from now on. */
export async function recordTimelines(page: Page): Promise<void> {
  await page.context().addInitScript(INIT);
}

/** Starts a page's timeline afresh (a new call on the same page). */
export async function resetTimeline(page: Page): Promise<void> {
  await page.evaluate('for (const k of Object.keys(window.__timeline || {})) delete window.__timeline[k]');
}

export async function readTimeline(page: Page): Promise<Timeline> {
  return (await page.evaluate('window.__timeline || {}')) as Timeline;
}

/** The page's epoch clock now, in ms, to start a timeline from. */
export async function pageNow(page: Page): Promise<number> {
  return (await page.evaluate('performance.timeOrigin + performance.now()')) as number;
}

/**
 * Markdown rows: for each step, the median time after `starts[i]` at which it happened in
 * run i, on each named side (a column per side). A step a side never took reads "—".
 * `starts` is shared by the sides (one click in each run), or given per side.
 */
export function timelineRows(starts: number[] | Record<string, number[]>, sides: Record<string, Timeline[]>): string[] {
  const names = Object.keys(sides);
  const rows = [`| step (ms after the click, median) | ${names.join(' | ')} |`, `|---|${names.map(() => '---:').join('|')}|`];
  for (const [step, label] of STEPS) {
    const cells = names.map((name) => {
      const from = Array.isArray(starts) ? starts : starts[name]!;
      const times = sides[name]!.flatMap((t, i) => (t[step] === undefined ? [] : [t[step]! - from[i]!]));
      return times.length ? median(times).toFixed(0) : '—';
    });
    rows.push(`| ${label} | ${cells.join(' | ')} |`);
  }
  return rows;
}
