// Benchmark: hello-world loopback. Time from clicking Start to the first decoded remote
// frame (median of N runs), where that time goes (scripts/lib/webrtc-timeline.ts: camera,
// offer, answer, ICE, DTLS, first frame), and the media server's CPU use during a steady call.
// KMS_URL names a real KMS to compare (KMS_PID, when it runs here, to pin and measure it);
// unset, the embedded engine is measured. The media server is pinned to core 0 and Chromium
// (the load generator, with this process) to the others; the generator's CPU is reported.
// Run: npm run bench (inside a loopback-only network namespace, like the tests).

import { median } from '../lib/stats';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { launchChromium } from '../../test/helpers/browser';
import { cpuWindow, placeBenchmark } from '../lib/placement';
import { pageNow, readTimeline, recordTimelines, timelineRows, type Timeline } from '../lib/webrtc-timeline';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const CPU_SECONDS = Number(process.env.BENCH_CPU_SECONDS ?? 10);

async function main(): Promise<void> {
  const app = await buildApp(loadConfig({ ...process.env, PORT: '0', LOG_LEVEL: 'warn' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/helloworld.html`;
  // Before Chromium starts: it inherits the generator's cores.
  const placement = placeBenchmark(app.embeddedEngine?.pid);
  const browser = await launchChromium();
  const remoteWidth = `(() => { const d = document.querySelector('hello-world-demo'); const v = d.shadowRoot.querySelector('stage-video-tile[video-id=remote]').shadowRoot.querySelector('video'); return v.videoWidth; })()`;
  const times: number[] = [];
  const starts: number[] = [];
  const setUp = cpuWindow(placement);
  const timelines: Timeline[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage();
      await recordTimelines(page);
      await page.goto(url);
      starts.push(await pageNow(page));
      const t0 = Date.now();
      await page.click('#start');
      await page.waitForFunction(`${remoteWidth} > 0`, null, { timeout: 20_000, polling: 10 });
      times.push(Date.now() - t0);
      timelines.push(await readTimeline(page));
      await page.click('#stop');
      await page.close();
    }

    const setUpCpu = setUp.stop();
    // Steady call: CPU over CPU_SECONDS (a remote KMS's process is not ours to read).
    const page = await browser.newPage();
    await page.goto(url);
    await page.click('#start');
    await page.waitForFunction(`${remoteWidth} > 0`, null, { timeout: 20_000 });
    const window = cpuWindow(placement);
    await new Promise((r) => setTimeout(r, CPU_SECONDS * 1000));
    const reading = window.stop();
    const cpu = Number.isNaN(reading.server) ? 'n/a (remote KMS)' : `${reading.server.toFixed(1)} % of one core`;
    await page.close();

    const target = process.env.KMS_URL ?? 'embedded engine';
    console.log(`\nhello-world loopback against ${target} (${RUNS} runs, 640x480 fake camera, Chromium)`);
    console.log(placement.summary);
    console.log('| measure | value |');
    console.log('|---|---|');
    console.log(`| Start → first decoded remote frame, median | ${median(times)} ms |`);
    console.log(`| Start → first decoded remote frame, min / max | ${Math.min(...times)} / ${Math.max(...times)} ms |`);
    console.log(`| media server CPU during a loopback call | ${cpu} |`);
    console.log(`| load generator CPU meanwhile (Chromium and this process) | ${reading.generator.toFixed(1)} % of one core |`);
    console.log(
      `| load generator CPU during the ${RUNS} set-ups | ${setUpCpu.generator.toFixed(1)} % of ${placement.generatorCoreCount} core(s)${setUpCpu.generatorSaturated ? ' — SATURATED: these times measure the browser as much as the media server' : ''} |`,
    );
    console.log(`\nWhere the time goes:`);
    for (const row of timelineRows(starts, { 'hello-world page': timelines })) console.log(row);
  } finally {
    await browser.close();
    await app.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
