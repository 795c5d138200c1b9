// Benchmark: what a filter costs a 640x480, 15 fps stream in the embedded media server.
// Chromium sends the astronaut (a face for the face detector) drawn on a canvas with a corner
// square that turns black or white every 500 ms; the video comes back through the media
// server, and the page notes when each flip leaves and when it is seen again. The median of
// those times with no filter (a plain loopback) is the baseline; each filter's median minus
// it is the delay the filter adds. CPU is read from /proc over the same interval: the
// filter's GStreamer helper, plus what the engine spends beyond the loopback.
// Run: npm run bench -- filters

import { setTimeout as sleep } from 'node:timers/promises';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { MediaServerConnection, type MediaElementHandle, type Pipeline, type WebRtcEndpoint } from '../../server/kurento/client';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { PeerPageServer } from '../../test/helpers/browser-peer';
import { launchChromium } from '../../test/helpers/browser';
import { fakeCameraArgs } from '../../test/helpers/fake-camera';
import { FACE_CAMERA } from '../../test/helpers/filter-cameras';
import { placeBenchmark } from '../lib/placement';
import { cpuTicks, TICKS_PER_SECOND } from '../lib/proc';

const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 12);
const ROOT = resolve(__dirname, '../../..');

interface Case {
  name: string;
  /** Builds the filter, or nothing for the loopback baseline. */
  filter?: (pipeline: Pipeline, mediaDir: string) => Promise<MediaElementHandle>;
}

const CASES: Case[] = [
  { name: 'loopback (no filter)' },
  { name: 'GStreamerFilter videobalance saturation=0.0', filter: (p) => p.createGStreamerFilter('videobalance saturation=0.0') },
  {
    name: 'FaceOverlayFilter (top hat)',
    filter: async (p, dir) => {
      const f = await p.createFaceOverlayFilter();
      await f.setOverlayedImage(pathToFileURL(join(dir, 'top-hat.png')).href, [-0.35, -1.05, 1.7, 1.4]);
      return f;
    },
  },
  {
    name: 'ChromaFilter (with background)',
    filter: (p, dir) => p.createChromaFilter({ x: 0, y: 0, width: 40, height: 40 }, pathToFileURL(join(dir, 'hubble.jpg')).href),
  },
];

/** The helper processes' pids (engine/gst/helper.py), read from /proc. */
function helperPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('engine/gst/helper.py');
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** In the page: camera → canvas with a flipping corner → peer connection; timings of each flip. */
async function startPage(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const w = window as unknown as Record<string, unknown>;
    const camera = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
    const source = document.createElement('video');
    source.muted = true;
    source.srcObject = camera;
    await source.play();
    const canvas = document.createElement('canvas');
    canvas.width = 640;
    canvas.height = 480;
    const ctx = canvas.getContext('2d')!;
    const sent: number[] = [];
    let white = false;
    let lastFlip = 0;
    setInterval(() => {
      const now = performance.now();
      if (now - lastFlip >= 500) {
        white = !white;
        lastFlip = now;
        sent.push(now);
      }
      ctx.drawImage(source, 0, 0, 640, 480);
      ctx.fillStyle = white ? '#fff' : '#000';
      ctx.fillRect(600, 440, 40, 40);
    }, 1000 / 15);
    const pc = new RTCPeerConnection();
    pc.addTrack(canvas.captureStream(15).getVideoTracks()[0]!);
    const seen: number[] = [];
    pc.ontrack = (e) => {
      const video = document.createElement('video');
      video.muted = true;
      video.srcObject = new MediaStream([e.track]);
      void video.play();
      const probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
      let shown: boolean | undefined;
      const onFrame = (now: number): void => {
        probe.drawImage(video, 610, 450, 20, 20, 0, 0, 20, 20);
        const level = probe.getImageData(10, 10, 1, 1).data[0]!;
        const isWhite = level > 128;
        if (shown !== undefined && isWhite !== shown) seen.push(now);
        shown = isWhite;
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
    };
    w.pc = pc;
    w.sent = sent;
    w.seen = seen;
  });
}

/** Median time from a flip drawn to the same flip seen back, over the flips of the window. */
async function medianDelay(page: Page, fromMs: number): Promise<number> {
  const { sent, seen } = await page.evaluate(() => {
    const w = window as unknown as { sent: number[]; seen: number[] };
    return { sent: w.sent, seen: w.seen };
  });
  const delays: number[] = [];
  for (const s of sent.filter((t) => t >= fromMs)) {
    const next = seen.find((t) => t > s);
    // A flip comes back before the next one is drawn, or it was lost in a frame drop.
    if (next !== undefined && next - s < 450) delays.push(next - s);
  }
  delays.sort((a, b) => a - b);
  return delays.length ? delays[Math.floor(delays.length / 2)]! : NaN;
}

async function negotiate(page: Page, endpoint: WebRtcEndpoint): Promise<void> {
  await page.exposeFunction('__candidate', (c: RTCIceCandidateInit) =>
    endpoint.addIceCandidate({ candidate: c.candidate ?? '', sdpMid: c.sdpMid, sdpMLineIndex: c.sdpMLineIndex }),
  );
  endpoint.onIceCandidate((c) => void page.evaluate((c) => (window as any).pc.addIceCandidate(c), c)); // eslint-disable-line @typescript-eslint/no-explicit-any
  const offer = await page.evaluate(async () => {
    const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
    pc.onicecandidate = (e) => {
      if (e.candidate) void (window as unknown as { __candidate: (c: unknown) => void }).__candidate(e.candidate.toJSON());
    };
    await pc.setLocalDescription(await pc.createOffer());
    return pc.localDescription!.sdp;
  });
  const answer = await endpoint.processOffer(offer);
  await page.evaluate(
    (sdp) => (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({ type: 'answer', sdp }),
    answer,
  );
  await endpoint.gatherCandidates();
}

async function main(): Promise<void> {
  const log = pino({ level: 'warn' });
  const mediaDir = mkdtempSync(join(tmpdir(), 'bench-filters-'));
  copyFileSync(join(ROOT, 'client/assets/overlays/top-hat.png'), join(mediaDir, 'top-hat.png'));
  copyFileSync(join(ROOT, 'client/assets/backgrounds/hubble_deep_field.jpg'), join(mediaDir, 'hubble.jpg'));
  const engine = await EngineProcess.start(log, { logLevel: 'warn', env: { ENGINE_MEDIA_DIR: mediaDir } });
  const kms = new MediaServerConnection(engine.url, log);
  while (!kms.ready) await sleep(50);
  // The engine (and the GStreamer helpers it starts, which inherit its core) on core 0,
  // Chromium on the others.
  const placement = placeBenchmark(engine.pid);
  const browser = await launchChromium(fakeCameraArgs(FACE_CAMERA));
  const pages = await PeerPageServer.start();
  const rows: { name: string; delayMs: number; helperCpu: number; engineCpu: number }[] = [];
  try {
    // BENCH_CASES=chroma (a part of the case names) measures fewer; the loopback always runs.
    const only = process.env.BENCH_CASES?.toLowerCase();
    for (const c of CASES.filter((x, i) => i === 0 || !only || x.name.toLowerCase().includes(only))) {
      const pipeline = await kms.createPipeline();
      const page = await browser.newPage();
      try {
        await page.goto(pages.url);
        await startPage(page);
        const endpoint = await pipeline.createWebRtcEndpoint();
        const filter = await c.filter?.(pipeline, mediaDir);
        if (filter) {
          await endpoint.connect(filter);
          await filter.connect(endpoint);
        } else {
          await endpoint.connect(endpoint);
        }
        await negotiate(page, endpoint);
        await sleep(4000); // ICE, the first keyframe, the helper's start and the bitrate's ramp-up
        const from = await page.evaluate(() => performance.now());
        const helpers = helperPids();
        const [engineBefore, helperBefore] = [cpuTicks(engine.pid!), helpers.reduce((s, p) => s + cpuTicks(p), 0)];
        await sleep(MEASURE_SECONDS * 1000);
        const perCent = (ticks: number): number => (ticks / TICKS_PER_SECOND / MEASURE_SECONDS) * 100;
        rows.push({
          name: c.name,
          delayMs: await medianDelay(page, from),
          engineCpu: perCent(cpuTicks(engine.pid!) - engineBefore),
          helperCpu: perCent(helpers.reduce((s, p) => s + cpuTicks(p), 0) - helperBefore),
        });
      } finally {
        await page.close();
        await pipeline.release();
      }
    }
  } finally {
    await browser.close();
    await pages.close();
    kms.close();
    await engine.stop();
    rmSync(mediaDir, { recursive: true, force: true });
  }
  const base = rows[0]!;
  console.log(`\nFilters on a 640x480, 15 fps camera (embedded media server, ${MEASURE_SECONDS} s each)`);
  console.log(`${placement.summary}\n`);
  console.log('| case | glass-to-glass median | added delay | GStreamer helper CPU | engine CPU | CPU per filtered stream |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const added = r === base ? '—' : `${(r.delayMs - base.delayMs).toFixed(0)} ms`;
    const perStream = r === base ? '—' : `${(r.helperCpu + r.engineCpu - base.engineCpu).toFixed(1)} %`;
    console.log(
      `| ${r.name} | ${r.delayMs.toFixed(0)} ms | ${added} | ${r.helperCpu.toFixed(1)} % | ${r.engineCpu.toFixed(1)} % | ${perStream} |`,
    );
  }
  console.log("\nCPU in % of one core. Added delay: the case's median minus the loopback's.");
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
