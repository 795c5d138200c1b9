// Benchmark: one slow viewer among fast ones. A headless publisher sends up to 1 Mbps of
// VP8 at 30 fps and follows the REMB it is told, as a browser's encoder does; N viewers
// receive it through one WebRtcEndpoint each, and one more viewer sits behind a 300 kbps link
// that drops what exceeds it. Every viewer estimates what it receives and reports it by REMB,
// and asks for a keyframe when it lost packets, as a browser does.
//
// Three runs: the slow viewer sends no REMB (only keyframe requests: what every viewer was
// to the engine before it folded its sinks' estimates); it reports its estimate; it reports,
// but its sink's minVideoSendBandwidth (the floor) is BENCH_FLOOR_KBPS, 600 by default, so
// the others are not taken below that. Each row gives
// what the publisher sent, what the fast viewers received (rate, loss, keyframes, delay) and
// what the slow one lost. Every sink allows 2000 kbps (setMaxVideoSendBandwidth), so the
// 500 kbps default is not what limits the publisher. KMS_URL measures a real KMS instead.
// Run: npm run bench -- slow-sink   (BENCH_VIEWERS=10, BENCH_SLOW_KBPS=300, BENCH_SECONDS=15)

import { percentile } from '../lib/stats';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpus } from 'node:os';
import pino from 'pino';
import type { WebRtcEndpoint } from '../../server/kurento/client';
import { HeadlessPeer, negotiate } from '../lib/headless-peer';
import { benchMediaServer, type BenchMediaServer } from '../lib/media-server';
import { cpuWindow, placeBenchmark, type Placement } from '../lib/placement';

const VIEWERS = Number(process.env.BENCH_VIEWERS ?? 10);
const SLOW_BPS = Number(process.env.BENCH_SLOW_KBPS ?? 300) * 1000;
const FLOOR_KBPS = Number(process.env.BENCH_FLOOR_KBPS ?? 600);
const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
/** Long enough for the estimates to settle: REMB grows 8 % a second. */
const SETTLE_SECONDS = 10;
const BITRATE = 1_000_000;

/** How the slow viewer and its sink behave in one run. */
interface SlowViewer {
  remb: boolean;
  /** The slow sink's minVideoSendBandwidth, kbps; KMS's default is 100. */
  floorKbps: number;
}

interface RunResult {
  slow: SlowViewer;
  publisherKbps: number;
  fastKbps: number;
  fastLoss: number;
  fastKeyframesPerSecond: number;
  fastP50: number;
  fastP99: number;
  slowKbps: number;
  slowLoss: number;
  serverCpu: number;
  generatorCpu: number;
  generatorSaturated: boolean;
}

/** What a viewer received between two snapshots. */
function delta(peer: HeadlessPeer, before: HeadlessPeer['received']) {
  const r = peer.received;
  const packets = r.packets - before.packets;
  const lost = r.lost - before.lost;
  return {
    kbps: ((r.bytes - before.bytes) * 8) / MEASURE_SECONDS / 1000,
    packets,
    lost,
    keyframes: r.keyframes - before.keyframes,
    delays: r.delays.slice(before.delays.length),
  };
}

async function run(server: BenchMediaServer, placement: Placement, slowViewer: SlowViewer): Promise<RunResult> {
  const pipeline = await server.kms.createPipeline();
  const peers: HeadlessPeer[] = [];
  try {
    const source = await pipeline.createWebRtcEndpoint();
    const publisher = HeadlessPeer.publisher();
    peers.push(publisher);
    await negotiate(publisher, source);
    publisher.startSending(BITRATE, 30, { followRemb: true });

    const viewer = async (floorKbps = 100): Promise<HeadlessPeer> => {
      const sink: WebRtcEndpoint = await pipeline.createWebRtcEndpoint();
      await sink.setMaxVideoSendBandwidth(2000);
      await sink.setMinVideoSendBandwidth(floorKbps);
      await source.connect(sink);
      const peer = HeadlessPeer.viewer();
      peers.push(peer);
      await negotiate(peer, sink);
      return peer;
    };
    const fast = await Promise.all(Array.from({ length: VIEWERS }, () => viewer()));
    fast.forEach((p) => p.sendFeedback({ remb: true }));
    const slow = await viewer(slowViewer.floorKbps);
    slow.limitLink(SLOW_BPS);
    slow.sendFeedback({ remb: slowViewer.remb });
    await sleep(SETTLE_SECONDS * 1000);

    const snapshot = (p: HeadlessPeer) => ({ ...p.received, delays: [...p.received.delays] });
    const fastBefore = fast.map(snapshot);
    const slowBefore = snapshot(slow);
    const sentBefore = publisher.sentVideoBytes;
    const window = cpuWindow(placement);
    await sleep(MEASURE_SECONDS * 1000);
    const cpu = window.stop();

    const fastDeltas = fast.map((p, i) => delta(p, fastBefore[i]!));
    const slowDelta = delta(slow, slowBefore);
    const sum = (f: (d: ReturnType<typeof delta>) => number): number => fastDeltas.reduce((n, d) => n + f(d), 0);
    const delays = fastDeltas.flatMap((d) => d.delays);
    return {
      slow: slowViewer,
      publisherKbps: ((publisher.sentVideoBytes - sentBefore) * 8) / MEASURE_SECONDS / 1000,
      fastKbps: sum((d) => d.kbps) / VIEWERS,
      fastLoss:
        sum((d) => d.lost) /
        Math.max(
          1,
          sum((d) => d.packets + d.lost),
        ),
      fastKeyframesPerSecond: sum((d) => d.keyframes) / VIEWERS / MEASURE_SECONDS,
      fastP50: percentile(delays, 50),
      fastP99: percentile(delays, 99),
      slowKbps: slowDelta.kbps,
      slowLoss: slowDelta.lost / Math.max(1, slowDelta.packets + slowDelta.lost),
      serverCpu: cpu.server,
      generatorCpu: cpu.generator,
      generatorSaturated: cpu.generatorSaturated,
    };
  } finally {
    await pipeline.release();
    await Promise.all(peers.map((p) => p.close()));
  }
}

async function main(): Promise<void> {
  const server = await benchMediaServer(pino({ level: 'warn' }));
  const placement = placeBenchmark(server.engine?.pid);
  const results: RunResult[] = [];
  try {
    const runs: SlowViewer[] = [
      { remb: false, floorKbps: 100 },
      { remb: true, floorKbps: 100 },
      { remb: true, floorKbps: FLOOR_KBPS },
    ];
    for (const slow of runs) {
      const r = await run(server, placement, slow);
      console.error(JSON.stringify(r));
      results.push(r);
    }
  } finally {
    await server.close();
  }

  console.log(
    `\nOne slow viewer (${SLOW_BPS / 1000} kbps link) among ${VIEWERS} fast ones, against ${server.label}; publisher up to 1 Mbps VP8 30 fps, following REMB; ${MEASURE_SECONDS} s measured after ${SETTLE_SECONDS} s`,
  );
  console.log(`machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}; ${placement.summary}`);
  console.log(
    '| slow viewer | its sink’s floor | publisher sends (kbps) | fast viewers receive (kbps) | fast loss | fast keyframes/s | fast delay p50 / p99 (ms) | slow viewer receives (kbps) | slow loss | media server CPU | generator CPU |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const saturated = r.generatorSaturated ? ' (saturated: not a measure of the server)' : '';
    console.log(
      `| ${r.slow.remb ? 'reports its estimate' : 'no REMB, only PLI'} | ${r.slow.floorKbps} kbps | ${r.publisherKbps.toFixed(0)} | ${r.fastKbps.toFixed(0)} | ${(r.fastLoss * 100).toFixed(2)} % | ${r.fastKeyframesPerSecond.toFixed(2)} | ${r.fastP50.toFixed(1)} / ${r.fastP99.toFixed(1)} | ${r.slowKbps.toFixed(0)} | ${(r.slowLoss * 100).toFixed(1)} % | ${r.serverCpu.toFixed(1)} % | ${r.generatorCpu.toFixed(0)} %${saturated} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
