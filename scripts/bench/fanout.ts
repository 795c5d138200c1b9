// Benchmark: one source to N sinks (SFU fan-out). A headless werift publisher sends a 1 Mbps
// VP8 + 30 fps, plus Opus, stream into one WebRtcEndpoint; N WebRtcEndpoints connected to it
// send it on to N headless viewers, hosted in worker processes. For each N it reports the
// media server's CPU and RSS, the sinks' received bitrate and loss, and the forwarding delay.
// KMS_URL names a real KMS to compare (KMS_PID, when it runs here, to pin and measure it);
// unset, the embedded engine is measured.
//
// The media server is pinned to core 0 and the generator (publisher and viewers) to the
// others (scripts/lib/placement.ts); the generator's own CPU is reported, and a step where
// it used 90 % of its cores is not reported: that step measured the generator. Viewers
// count SRTP packets without decrypting them (BENCH_SINK_MODE=count, the default), so one
// core of generator can load one core of server; BENCH_SINK_MODE=decrypt receives as a
// browser does and adds the forwarding delay, at several times the generator's cost.
// Run: npm run bench -- fanout   (BENCH_SINKS=1,10,50 to choose the steps; BENCH_CPU_PROF=dir
// to profile the engine). BENCH_BROADCASTS=k splits the viewers over k pipelines, each with its
// own publisher: with ENGINE_WORKERS=k the engine places them on k threads, and the report
// gives the busiest threads' share of the engine's CPU. One broadcast spreads too: past
// ENGINE_PIPE_AFTER elements (default 32) its viewers go to the other workers, the source piped
// to each.

import { percentile } from '../lib/stats';
import { setTimeout as sleep } from 'node:timers/promises';
import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import pino from 'pino';
import { MediaServerConnection, type Pipeline, type WebRtcEndpoint } from '../../server/kurento/client';
import { HeadlessPeer, negotiate } from '../lib/headless-peer';
import { benchMediaServer } from '../lib/media-server';
import { cpuWindow, placeBenchmark, type Placement } from '../lib/placement';
import { threadTicks, TICKS_PER_SECOND, usage } from '../lib/proc';
import type { FromSinks, ToSinks } from './fanout-sinks';

const STEPS = (process.env.BENCH_SINKS ?? '1,10,50,100,200').split(',').map(Number);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BROADCASTS = Number(process.env.BENCH_BROADCASTS ?? 1);
const BITRATE = 1_000_000;
const DECRYPT = (process.env.BENCH_SINK_MODE ?? 'count') === 'decrypt';
/** Stop growing N once loss passes this: the server is past what it can carry. */
const GIVE_UP_LOSS = 0.05;

interface StepResult {
  sinks: number;
  connected: number;
  cpu: number;
  generatorCpu: number;
  generatorSaturated: boolean;
  rssMiB: number;
  kbps: number;
  loss: number;
  p50: number;
  p99: number;
  /** The media server's busiest threads, % of one core each, busiest first. */
  threads: number[];
}

class SinkWorker {
  private readonly child: ChildProcess;
  private readonly waiters = new Map<string, (m: FromSinks) => void>();

  constructor(private readonly onMessage: (m: FromSinks) => void) {
    this.child = fork(require.resolve('./fanout-sinks'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: FromSinks) => {
      const waiter = this.waiters.get(m.op);
      if (waiter && (m.op === 'stats' || m.op === 'closed')) {
        this.waiters.delete(m.op);
        waiter(m);
      } else {
        this.onMessage(m);
      }
    });
  }

  send(m: ToSinks): void {
    this.child.send(m);
  }

  request<T extends FromSinks['op']>(m: ToSinks, reply: T): Promise<Extract<FromSinks, { op: T }>> {
    return new Promise((resolve) => {
      this.waiters.set(reply, resolve as (m: FromSinks) => void);
      this.send(m);
    });
  }

  stop(): void {
    this.child.disconnect();
  }
}

async function runStep(
  kms: MediaServerConnection,
  workers: SinkWorker[],
  endpoints: Map<number, WebRtcEndpoint>,
  n: number,
  placement: Placement,
): Promise<StepResult> {
  const pipelines: Pipeline[] = [];
  const publishers: HeadlessPeer[] = [];
  try {
    const sources: WebRtcEndpoint[] = [];
    for (let b = 0; b < BROADCASTS; b++) {
      const pipeline = await kms.createPipeline();
      pipelines.push(pipeline);
      const publisher = HeadlessPeer.publisher();
      publishers.push(publisher);
      const source = await pipeline.createWebRtcEndpoint();
      await negotiate(publisher, source);
      publisher.startSending(BITRATE, 30);
      sources.push(source);
    }
    for (let id = 0; id < n; id++) {
      const sink = await pipelines[id % BROADCASTS]!.createWebRtcEndpoint();
      await sources[id % BROADCASTS]!.connect(sink);
      endpoints.set(id, sink);
      workers[id % workers.length]!.send({ op: 'add', id, decrypt: DECRYPT });
    }
    // Wait for every sink to receive (or for 30 s), then let the stream settle.
    const deadline = Date.now() + 30_000;
    let connected = 0;
    while (Date.now() < deadline) {
      const stats = await Promise.all(workers.map((w) => w.request({ op: 'stats' }, 'stats')));
      connected = stats.flatMap((s) => s.sinks).filter((s) => s.packets > 0).length;
      if (connected === n) break;
      await sleep(500);
    }
    await sleep(3000);

    const before = await Promise.all(workers.map((w) => w.request({ op: 'stats' }, 'stats')));
    const window = cpuWindow(placement);
    const threadsBefore = placement.serverPid ? threadTicks(placement.serverPid) : new Map<number, number>();
    const windowStart = Date.now();
    await sleep(MEASURE_SECONDS * 1000);
    const after = await Promise.all(workers.map((w) => w.request({ op: 'stats' }, 'stats')));
    const cpu = window.stop();
    const threadsAfter = placement.serverPid ? threadTicks(placement.serverPid) : new Map<number, number>();
    const windowSeconds = (Date.now() - windowStart) / 1000;
    const threads = [...threadsAfter]
      .map(([tid, ticks]) => ((ticks - (threadsBefore.get(tid) ?? 0)) / TICKS_PER_SECOND / windowSeconds) * 100)
      .sort((x, y) => y - x)
      .slice(0, 3);

    const start = new Map(before.flatMap((s) => s.sinks).map((s) => [s.id, s]));
    let bytes = 0;
    let packets = 0;
    let lost = 0;
    for (const s of after.flatMap((x) => x.sinks)) {
      const b = start.get(s.id);
      bytes += s.bytes - (b?.bytes ?? 0);
      packets += s.packets - (b?.packets ?? 0);
      lost += s.lost - (b?.lost ?? 0);
    }
    const delays = after.flatMap((s) => s.delays);
    return {
      sinks: n,
      connected,
      cpu: cpu.server,
      generatorCpu: cpu.generator,
      generatorSaturated: cpu.generatorSaturated,
      rssMiB: placement.serverPid ? usage(placement.serverPid).rssMiB : NaN,
      kbps: (bytes * 8) / MEASURE_SECONDS / n / 1000,
      loss: packets + lost > 0 ? lost / (packets + lost) : 1,
      p50: percentile(delays, 50),
      p99: percentile(delays, 99),
      threads,
    };
  } finally {
    await Promise.all(pipelines.map((p) => p.release()));
    await Promise.all(publishers.map((p) => p.close()));
    await Promise.all(workers.map((w) => w.request({ op: 'closeAll' }, 'closed')));
    endpoints.clear();
  }
}

async function main(): Promise<void> {
  const log = pino({ level: 'warn' });
  // BENCH_CPU_PROF=<dir>: the engine writes a V8 CPU profile there when it stops
  // (`node dist/scripts/bench/profile-top.js <file>` prints where the time went).
  const profile = process.env.BENCH_CPU_PROF;
  const server = await benchMediaServer(log, { nodeArgs: profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [] });
  const { kms } = server;
  // Before the workers start: they inherit the generator's cores.
  const placement = placeBenchmark(server.engine?.pid);

  const endpoints = new Map<number, WebRtcEndpoint>();
  const workers: SinkWorker[] = [];
  const onMessage = (m: FromSinks): void => {
    if (m.op !== 'offer' && m.op !== 'candidate') return;
    const endpoint = endpoints.get(m.id);
    if (!endpoint) return;
    const worker = workers[m.id % workers.length]!;
    if (m.op === 'offer') {
      endpoint.onIceCandidate((candidate) =>
        worker.send({
          op: 'candidate',
          id: m.id,
          candidate: {
            candidate: candidate.candidate,
            sdpMid: candidate.sdpMid ?? undefined,
            sdpMLineIndex: candidate.sdpMLineIndex ?? undefined,
          },
        }),
      );
      endpoint
        .processOffer(m.sdp)
        .then((sdp) => {
          worker.send({ op: 'answer', id: m.id, sdp });
          return endpoint.gatherCandidates();
        })
        .catch((err: unknown) => console.error(`sink ${m.id}:`, err));
    } else if (m.op === 'candidate') {
      endpoint.addIceCandidate(m.candidate).catch(() => undefined);
    }
  };
  for (let i = 0; i < WORKERS; i++) workers.push(new SinkWorker(onMessage));

  const results: StepResult[] = [];
  let saturatedAt: StepResult | undefined;
  try {
    for (const n of STEPS) {
      const r = await runStep(kms, workers, endpoints, n, placement);
      console.error(`N=${n}: ${JSON.stringify(r)}`);
      if (r.generatorSaturated) {
        saturatedAt = r;
        break;
      }
      results.push(r);
      if (r.loss > GIVE_UP_LOSS || r.connected < n) break;
    }
  } finally {
    workers.forEach((w) => w.stop());
    await server.close();
  }

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  const broadcasts = BROADCASTS > 1 ? `, viewers split over ${BROADCASTS} broadcasts` : '';
  const engineWorkers = server.engine
    ? `; engine workers: ${server.workers ?? '?'}, pipe after ${process.env.ENGINE_PIPE_AFTER ?? '32 (default)'}`
    : '';
  console.log(
    `\nSFU fan-out against ${server.label}${engineWorkers}: 1 Mbps VP8 30 fps + Opus${broadcasts}, ${MEASURE_SECONDS} s per step`,
  );
  console.log(`machine: ${cpus().length} cores, ${cpu}; ${placement.summary}`);
  console.log(
    `viewers: werift peers in ${WORKERS} worker processes, ${DECRYPT ? 'decrypting every packet (delay measured)' : 'counting SRTP packets without decrypting (BENCH_SINK_MODE=count; no delay)'}`,
  );
  console.log(
    '| viewers | receiving | media server CPU (% of one core) | per viewer | busiest threads (% of a core) | generator CPU | RSS (MiB) | received per viewer (kbps) | loss | delay p50 / p99 (ms) |',
  );
  console.log('|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    const delay = DECRYPT ? `${r.p50.toFixed(1)} / ${r.p99.toFixed(1)}` : '—';
    console.log(
      `| ${r.sinks} | ${r.connected} | ${r.cpu.toFixed(1)} | ${(r.cpu / r.sinks).toFixed(2)} | ${r.threads.length ? r.threads.map((t) => t.toFixed(0)).join(' / ') : '—'} | ${r.generatorCpu.toFixed(0)} | ${r.rssMiB.toFixed(0)} | ${r.kbps.toFixed(0)} | ${(r.loss * 100).toFixed(2)} % | ${delay} |`,
    );
  }
  if (saturatedAt) {
    console.log(
      `\nN=${saturatedAt.sinks} not reported: the load generator used ${saturatedAt.generatorCpu.toFixed(0)} % of its ${placement.generatorCoreCount} core(s), so that step measured the generator, not the media server.`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
