// Benchmark: one-to-one call set-up. Two Chromium pages register on /one2one; the time is
// from clicking Call to the first decoded remote frame on both sides (the callee accepts as
// soon as the call rings, so the figure is the system's, not a person's). Median of N calls.
// KMS_URL names a real KMS to compare; unset, the embedded engine is measured. The media
// server is pinned to core 0 and Chromium (the load generator) to the others.
// Run: npm run bench -- call-setup   (BENCH_RUNS=N)

import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { buildApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { decodedFrames, demoPeer, launchChromium } from '../../test/helpers/browser';
import { placeBenchmark } from '../lib/placement';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

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
  const app = await buildApp(loadConfig({ ...process.env, PORT: '0', LOG_LEVEL: 'warn', DATA_DIR: dataDir }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/one2one.html`;
  // Before Chromium starts: it inherits the generator's cores.
  const placement = placeBenchmark(app.embeddedEngine?.pid);
  const browser = await launchChromium();
  const times: number[] = [];
  try {
    const [caller, callee] = [await browser.newPage(), await browser.newPage()];
    for (const [page, name] of [
      [caller, 'caller'],
      [callee, 'callee'],
    ] as const) {
      await page.goto(url);
      await page.locator('one2one-demo >> #name').fill(name);
      await page.locator('one2one-demo >> #register').click();
      await until(async () => (await state(page)) === 'registered');
    }
    for (let i = 0; i < RUNS; i++) {
      await caller.locator('one2one-demo >> #peer').fill('callee');
      const t0 = Date.now();
      await caller.locator('one2one-demo >> #call').click();
      await until(async () => (await state(callee)) === 'incoming');
      await callee.locator('one2one-demo >> #accept').click();
      await until(async () => (await framesOn(caller)) > 0 && (await framesOn(callee)) > 0);
      times.push(Date.now() - t0);
      await callee.locator('one2one-demo >> #stop').click();
      await until(async () => (await state(caller)) === 'registered');
    }
  } finally {
    await browser.close();
    await app.close();
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
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
