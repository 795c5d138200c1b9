// Benchmark: hello-world loopback. Time from the click on Start (as the page gets it) to the
// first decoded remote frame (median of N runs), where that time goes (scripts/lib/webrtc-timeline.ts: camera,
// offer, answer, ICE, DTLS, first frame), and the server's CPU use during a steady call.
// Each run also times two reference pages in the same browser (scripts/lib/reference-pages.ts):
// a minimal client of the same demo and server, and the browser alone with no server. So the
// report splits the demo's time into the browser's floor, what the server side adds, and what
// the demo page adds.
// The server side is the Kurento Stage server as its own process with the media server it
// drives: the embedded engine, or the real KMS that KMS_URL names (KMS_PID, when it runs
// here, to pin and measure it with the server). It is pinned to core 0 and Chromium (the
// load generator, with this process) to the others; the generator's CPU is reported.
// Run: npm run bench (inside a loopback-only network namespace, like the tests).

import type { Page } from 'playwright-core';
import { median } from '../lib/stats';
import { launchChromium } from '../../test/helpers/browser';
import { cpuWindow, placeBenchmark } from '../lib/placement';
import { openReferencePage, REFERENCE_REMOTE_SHOWN, type ReferencePage } from '../lib/reference-pages';
import { startStageServer } from '../lib/stage-server';
import { readTimeline, recordTimelines, timelineRows, type Timeline } from '../lib/webrtc-timeline';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const CPU_SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 10);

const DEMO_REMOTE_SHOWN = `(() => { const d = document.querySelector('hello-world-demo'); const v = d.shadowRoot.querySelector('stage-video-tile[video-id=remote]').shadowRoot.querySelector('video'); return v.videoWidth > 0; })()`;

type Variant = 'demo' | ReferencePage;
const LABELS: Record<Variant, string> = {
  demo: 'the hello-world demo page',
  minimal: 'a minimal client of the same demo and server',
  floor: 'the browser alone: two peer connections in one page, no server',
};

interface Sample {
  /** From the click's arrival in the page to the first remote frame it decoded. */
  ms: number;
  start: number;
  timeline: Timeline;
}

/** One run of one page: open it, click Start, wait for the remote frame, read its timeline, end it. */
async function once(page: Page, origin: string, variant: Variant): Promise<Sample> {
  await recordTimelines(page);
  if (variant === 'demo') await page.goto(`${origin}/helloworld.html`);
  else await openReferencePage(page, origin, variant);
  await page.click('#start');
  await page.waitForFunction(variant === 'demo' ? DEMO_REMOTE_SHOWN : REFERENCE_REMOTE_SHOWN, null, {
    timeout: 20_000,
    polling: 10,
  });
  // The probe's frame callback may come a moment after the page's own video showed the frame.
  await page.waitForFunction('window.__timeline && window.__timeline.frame !== undefined', null, { timeout: 5000 });
  const timeline = await readTimeline(page);
  const start = timeline.click!;
  const ms = Math.round(timeline.frame! - start);
  if (variant === 'demo') await page.click('#stop');
  else await page.evaluate('window.stopAll()');
  return { ms, start, timeline };
}

async function main(): Promise<void> {
  const server = await startStageServer();
  // Before Chromium starts: it inherits the generator's cores.
  const placement = placeBenchmark(server.child.pid, 'Kurento Stage server and its media server');
  const browser = await launchChromium();
  const samples: Record<Variant, Sample[]> = { demo: [], minimal: [], floor: [] };
  const setUp = cpuWindow(placement);
  try {
    // Interleaved, so that whatever the machine does meanwhile falls on all three alike.
    for (let i = 0; i < RUNS; i++) {
      for (const variant of Object.keys(samples) as Variant[]) {
        const page = await browser.newPage();
        samples[variant].push(await once(page, server.url, variant));
        await page.close();
      }
    }
    const setUpCpu = setUp.stop();

    // Steady call: CPU over CPU_SECONDS (a remote KMS's process is not ours to read).
    const page = await browser.newPage();
    await page.goto(`${server.url}/helloworld.html`);
    await page.click('#start');
    await page.waitForFunction(DEMO_REMOTE_SHOWN, null, { timeout: 20_000 });
    const window = cpuWindow(placement);
    await new Promise((r) => setTimeout(r, CPU_SECONDS * 1000));
    const reading = window.stop();
    await page.close();

    const medianOf = (v: Variant): number => median(samples[v].map((s) => s.ms));
    const spread = (v: Variant): string => {
      const ms = samples[v].map((s) => s.ms);
      return `${medianOf(v)} ms (min ${Math.min(...ms)}, max ${Math.max(...ms)})`;
    };
    const target = process.env.KMS_URL ?? 'the embedded engine';
    console.log(`\nhello-world loopback against ${target} (${RUNS} runs of each page, 640x480 fake camera, Chromium)`);
    console.log(placement.summary);
    console.log('| Start → first decoded remote frame | median |');
    console.log('|---|---:|');
    for (const v of Object.keys(samples) as Variant[]) console.log(`| ${LABELS[v]} | ${spread(v)} |`);
    console.log(`| what the server side adds (minimal client − browser alone) | ${medianOf('minimal') - medianOf('floor')} ms |`);
    console.log(`| what the demo page adds (demo page − minimal client) | ${medianOf('demo') - medianOf('minimal')} ms |`);
    const cpu = Number.isNaN(reading.server) ? 'n/a (remote KMS)' : `${reading.server.toFixed(1)} % of one core`;
    console.log(`\n| CPU | value |`);
    console.log('|---|---|');
    console.log(`| server side (app server and media server) during a loopback call | ${cpu} |`);
    console.log(`| load generator meanwhile (Chromium and this process) | ${reading.generator.toFixed(1)} % of one core |`);
    console.log(
      `| load generator during the set-ups | ${setUpCpu.generator.toFixed(1)} % of ${placement.generatorCoreCount} core(s)${setUpCpu.generatorSaturated ? ' — SATURATED: these times measure the browser as much as the server' : ''} |`,
    );
    console.log(`\nWhere the time goes:`);
    const columns: Record<Variant, string> = { demo: 'demo page', minimal: 'minimal client', floor: 'browser alone' };
    const sides = Object.fromEntries(
      (Object.keys(samples) as Variant[]).map((v) => [columns[v], samples[v].map((s) => s.timeline)]),
    );
    // Each page was timed from its own click.
    const starts = Object.fromEntries(
      (Object.keys(samples) as Variant[]).map((v) => [columns[v], samples[v].map((s) => s.start)]),
    );
    for (const row of timelineRows(starts, sides)) console.log(row);
  } finally {
    await browser.close();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
