// Benchmark: the RecorderEndpoint's cost. A headless werift publisher sends 1 Mbps VP8 at
// 30 fps plus Opus into one WebRtcEndpoint; N recorders record it to WebM at once. The
// media server's CPU is read over a steady interval for N = 0 (the source alone) and for each
// N, so the table gives the cost per recorded stream. KMS_URL names a real KMS to compare
// (KMS_PID, when it runs here, to pin and measure it; the file sizes show it recorded).
// The media server is pinned to core 0 and the publisher to the others.
// Run: npm run bench -- recorder

import { setTimeout as sleep } from 'node:timers/promises';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { HeadlessPeer, negotiate } from '../lib/headless-peer';
import { benchMediaServer } from '../lib/media-server';
import { cpuWindow, placeBenchmark } from '../lib/placement';

const COUNTS = (process.env.BENCH_RECORDERS ?? '0,1,4,16').split(',').map(Number);
const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BITRATE = 1_000_000;

async function main(): Promise<void> {
  const log = pino({ level: 'warn' });
  const mediaDir = process.env.BENCH_MEDIA_DIR ?? mkdtempSync(join(tmpdir(), 'bench-recorder-'));
  const server = await benchMediaServer(log, { env: { ENGINE_MEDIA_DIR: mediaDir } });
  const { kms } = server;
  const placement = placeBenchmark(server.engine?.pid);
  const rows: { n: number; cpu: number; generatorCpu: number; mbWritten: number }[] = [];
  try {
    for (const n of COUNTS) {
      const pipeline = await kms.createPipeline();
      const publisher = HeadlessPeer.publisher();
      try {
        const source = await pipeline.createWebRtcEndpoint();
        await negotiate(publisher, source);
        publisher.startSending(BITRATE, 30);
        const files = Array.from({ length: n }, (_, i) => join(mediaDir, `bench-${n}-${i}.webm`));
        const recorders = await Promise.all(files.map((f) => pipeline.createRecorderEndpoint(pathToFileURL(f).href, 'WEBM')));
        for (const r of recorders) await source.connect(r);
        await Promise.all(recorders.map((r) => r.record()));
        await sleep(3000);
        const window = cpuWindow(placement);
        await sleep(MEASURE_SECONDS * 1000);
        const { server: cpu, generator: generatorCpu } = window.stop();
        await Promise.all(recorders.map((r) => r.stopAndWait()));
        const bytes = files.reduce((sum, f) => sum + (statSync(f, { throwIfNoEntry: false })?.size ?? 0), 0);
        rows.push({ n, cpu, generatorCpu, mbWritten: bytes / 1e6 });
      } finally {
        await pipeline.release();
        await publisher.close();
      }
    }
  } finally {
    await server.close();
    if (!process.env.BENCH_MEDIA_DIR) rmSync(mediaDir, { recursive: true, force: true });
  }

  const base = rows.find((r) => r.n === 0)?.cpu ?? 0;
  console.log(`\nRecorderEndpoint against ${server.label}: 1 Mbps VP8 30 fps + Opus, WEBM profile`);
  console.log(`(${MEASURE_SECONDS} s per step; CPU in % of one core; ${placement.summary})`);
  console.log('| recorders | media server CPU | per recorder (minus source alone) | written per recorder | generator CPU |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) {
    const per = r.n > 0 ? `${((r.cpu - base) / r.n).toFixed(2)} %` : '—';
    const written =
      r.n > 0
        ? `${(r.mbWritten / r.n).toFixed(2)} MB (${(((r.mbWritten / r.n) * 8) / (MEASURE_SECONDS + 3)).toFixed(2)} Mbit/s)`
        : '—';
    console.log(`| ${r.n} | ${r.cpu.toFixed(1)} % | ${per} | ${written} | ${r.generatorCpu.toFixed(1)} % |`);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
