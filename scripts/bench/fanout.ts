// Benchmark: one source to N sinks (SFU fan-out). A headless werift publisher sends a 1 Mbps
// VP8 + 30 fps, plus Opus, stream into one WebRtcEndpoint; N WebRtcEndpoints connected to it
// send it on to N headless viewers, hosted in worker processes. For each N it reports the
// media server's CPU and RSS, the sinks' received bitrate and loss, and the forwarding delay.
// KMS_URL names a real KMS to compare; unset, the embedded engine is measured.
// Run: npm run bench -- fanout   (BENCH_SINKS=1,10,50 to choose the steps)

import { fork, type ChildProcess } from 'node:child_process';
import { cpus } from 'node:os';
import pino from 'pino';
import { MediaServerConnection, type Pipeline, type WebRtcEndpoint } from '../../server/kurento/client';
import { EngineProcess } from '../../server/kurento/engine-launcher';
import { HeadlessPeer, negotiate } from '../lib/headless-peer';
import { cpuTicks, TICKS_PER_SECOND, usage } from '../lib/proc';
import type { FromSinks, ToSinks } from './fanout-sinks';

const STEPS = (process.env.BENCH_SINKS ?? '1,10,50,100,200').split(',').map(Number);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const BITRATE = 1_000_000;
/** Stop growing N once loss passes this: the server is past what it can carry. */
const GIVE_UP_LOSS = 0.05;

interface StepResult {
  sinks: number;
  connected: number;
  cpu: number;
  rssMiB: number;
  kbps: number;
  loss: number;
  p50: number;
  p99: number;
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

const percentile = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runStep(
  kms: MediaServerConnection,
  workers: SinkWorker[],
  endpoints: Map<number, WebRtcEndpoint>,
  n: number,
  enginePid: number | undefined,
): Promise<StepResult> {
  const pipeline: Pipeline = await kms.createPipeline();
  const publisher = HeadlessPeer.publisher();
  try {
    const source = await pipeline.createWebRtcEndpoint();
    await negotiate(publisher, source);
    publisher.startSending(BITRATE, 30);
    for (let id = 0; id < n; id++) {
      const sink = await pipeline.createWebRtcEndpoint();
      await source.connect(sink);
      endpoints.set(id, sink);
      workers[id % workers.length]!.send({ op: 'add', id });
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
    const ticks = enginePid ? cpuTicks(enginePid) : 0;
    await sleep(MEASURE_SECONDS * 1000);
    const after = await Promise.all(workers.map((w) => w.request({ op: 'stats' }, 'stats')));
    const cpu = enginePid ? ((cpuTicks(enginePid) - ticks) / TICKS_PER_SECOND / MEASURE_SECONDS) * 100 : NaN;

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
      cpu,
      rssMiB: enginePid ? usage(enginePid).rssMiB : NaN,
      kbps: (bytes * 8) / MEASURE_SECONDS / n / 1000,
      loss: packets + lost > 0 ? lost / (packets + lost) : 1,
      p50: percentile(delays, 50),
      p99: percentile(delays, 99),
    };
  } finally {
    await pipeline.release();
    await publisher.close();
    await Promise.all(workers.map((w) => w.request({ op: 'closeAll' }, 'closed')));
    endpoints.clear();
  }
}

async function main(): Promise<void> {
  const log = pino({ level: 'warn' });
  const engine = process.env.KMS_URL ? undefined : await EngineProcess.start(log, { logLevel: 'warn' });
  const kms = new MediaServerConnection(process.env.KMS_URL?.split(',')[0] ?? engine!.url, log);
  while (!kms.ready) await sleep(50);

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
  try {
    for (const n of STEPS) {
      const r = await runStep(kms, workers, endpoints, n, engine?.pid);
      results.push(r);
      console.error(`N=${n}: ${JSON.stringify(r)}`);
      if (r.loss > GIVE_UP_LOSS || r.connected < n) break;
    }
  } finally {
    workers.forEach((w) => w.stop());
    kms.close();
    await engine?.stop();
  }

  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `\nSFU fan-out against ${process.env.KMS_URL ?? 'the embedded engine'}: 1 Mbps VP8 30 fps + Opus, ${MEASURE_SECONDS} s per step`,
  );
  console.log(
    `machine: ${cpus().length} cores, ${cpu}; sinks are werift peers in ${WORKERS} worker processes on the same machine`,
  );
  console.log(
    '| sinks | receiving | media server CPU (% of one core) | RSS (MiB) | received per sink (kbps) | loss | delay p50 / p99 (ms) |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.sinks} | ${r.connected} | ${r.cpu.toFixed(0)} | ${r.rssMiB.toFixed(0)} | ${r.kbps.toFixed(0)} | ${(r.loss * 100).toFixed(2)} % | ${r.p50.toFixed(1)} / ${r.p99.toFixed(1)} |`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
