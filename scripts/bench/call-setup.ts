// Benchmark: one-to-one call set-up. Two Chromium pages register on /one2one; the time is
// from the click on Call (as the caller's page gets it) to the first decoded remote frame on
// both sides (the callee accepts as
// soon as the call rings, so the figure is the system's, not a person's). Median of N calls,
// and each page's timeline (scripts/lib/webrtc-timeline.ts) from the same click.
// The server side is the Kurento Stage server as its own process with the media server it
// drives: the embedded engine, or the real KMS that KMS_URL names. It is pinned to core 0 and
// Chromium (the load generator) to the others.
// Run: npm run bench -- call-setup   (BENCH_RUNS=N)

import { median } from '../lib/stats';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { decodedFrames, demoPeer, launchChromium } from '../../test/helpers/browser';
import { cpuWindow, placeBenchmark } from '../lib/placement';
import { startStageServer } from '../lib/stage-server';
import { readTimeline, recordTimelines, resetTimeline, timelineRows, type Timeline } from '../lib/webrtc-timeline';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);

const framesOn = async (page: Page): Promise<number> => (await decodedFrames(page, demoPeer, 'one2one-demo')).remote ?? 0;

const state = (page: Page): Promise<string> =>
  page.evaluate(() => (document.querySelector('one2one-demo') as HTMLElement & { call: { state: string } }).call.state);

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-data-'));
  const server = await startStageServer({ DATA_DIR: dataDir });
  const url = `${server.url}/one2one.html`;
  // Before Chromium starts: it inherits the generator's cores.
  const placement = placeBenchmark(server.child.pid, 'Kurento Stage server and its media server');
  const browser = await launchChromium();
  const times: number[] = [];
  const starts: number[] = [];
  const sides: Record<'caller' | 'callee', Timeline[]> = { caller: [], callee: [] };
  let cpu: ReturnType<ReturnType<typeof cpuWindow>['stop']> | undefined;
  try {
    const [caller, callee] = [await browser.newPage(), await browser.newPage()];
    for (const [page, name] of [
      [caller, 'caller'],
      [callee, 'callee'],
    ] as const) {
      await recordTimelines(page);
      await page.goto(url);
      await page.locator('one2one-demo >> #name').fill(name);
      await page.locator('one2one-demo >> #register').click();
      await until(async () => (await state(page)) === 'registered');
    }
    const window = cpuWindow(placement);
    for (let i = 0; i < RUNS; i++) {
      await caller.locator('one2one-demo >> #peer').fill('callee');
      await Promise.all([resetTimeline(caller), resetTimeline(callee)]);
      await caller.locator('one2one-demo >> #call').click();
      await until(async () => (await state(callee)) === 'incoming');
      await callee.locator('one2one-demo >> #accept').click();
      await until(async () => (await framesOn(caller)) > 0 && (await framesOn(callee)) > 0);
      // The timeline's frame mark (a video frame callback) may follow the decoded count.
      await until(
        async () => (await readTimeline(caller)).frame !== undefined && (await readTimeline(callee)).frame !== undefined,
      );
      const [callerSide, calleeSide] = [await readTimeline(caller), await readTimeline(callee)];
      // Both pages' clocks are the machine's: from the caller's click, as the page got it, to
      // the later of the two first frames (the driver's own click and polling left out).
      const start = callerSide.click!;
      starts.push(start);
      times.push(Math.round(Math.max(callerSide.frame ?? NaN, calleeSide.frame ?? NaN) - start));
      sides.caller.push(callerSide);
      sides.callee.push(calleeSide);
      await callee.locator('one2one-demo >> #stop').click();
      await until(async () => (await state(caller)) === 'registered');
    }
    cpu = window.stop();
  } finally {
    await browser.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(
    `\none2one call set-up against ${process.env.KMS_URL ?? 'the embedded engine'} (${RUNS} calls, Chromium fake cameras)`,
  );
  console.log(placement.summary);
  console.log('| measure | value |');
  console.log('|---|---|');
  console.log(`| Call → first decoded frame on both sides, median | ${median(times)} ms |`);
  console.log(`| min / max | ${Math.min(...times)} / ${Math.max(...times)} ms |`);
  const serverCpu = Number.isNaN(cpu!.server) ? 'n/a (remote KMS)' : `${cpu!.server.toFixed(1)} % of one core`;
  console.log(`| server side (app server and media server) CPU over the ${RUNS} calls | ${serverCpu} |`);
  console.log(
    `| load generator CPU over them (Chromium and this process) | ${cpu!.generator.toFixed(1)} % of ${placement.generatorCoreCount} core(s)${cpu!.generatorSaturated ? ' — SATURATED: these times measure the browser as much as the media server' : ''} |`,
  );
  console.log(`\nWhere the time goes (both pages, from the click on Call):`);
  for (const row of timelineRows(starts, sides)) console.log(row);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
