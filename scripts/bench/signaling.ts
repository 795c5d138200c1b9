// Benchmark: the application server's signaling at scale, without media. The real server
// process (dist/server/index.js, as an operator runs it) is pinned to core 0; this process,
// the load generator, to the others.
//
// 1. Idle: BENCH_IDLE_SOCKETS (10,000) one2one WebSockets are opened and left idle, as pages
//    left open would be; the server's RSS is read before and after. Clients come from many
//    loopback addresses (127.0.x.y), at most MAX_SOCKETS_PER_IP from each, as users do.
// 2. Load: with those still open, BENCH_ACTIVE_SOCKETS (100) more register a name, then send
//    one2one `call` messages to a user who is not there, together BENCH_RATE (2,000) a second
//    on a fixed schedule (open loop: a slow reply does not slow the sending), for
//    BENCH_SECONDS (10). Each call is validated, handled and answered with a rejection; the
//    time from send to that answer is the reply time.
// Run: npm run bench -- signaling   (BENCH_CPU_PROF=dir to profile the server)

import { percentile } from '../lib/stats';
import { setTimeout as sleep } from 'node:timers/promises';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { usage } from '../lib/proc';
import { cpuWindow, placeBenchmark } from '../lib/placement';
import { startStageServer } from '../lib/stage-server';

const IDLE_SOCKETS = Number(process.env.BENCH_IDLE_SOCKETS ?? 10_000);
const ACTIVE_SOCKETS = Number(process.env.BENCH_ACTIVE_SOCKETS ?? 100);
const RATE = Number(process.env.BENCH_RATE ?? 2000);
const MEASURE_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** The server's own default; clients spread over addresses so that none passes it. */
const PER_ADDRESS = 32;
/** Sockets opened at once while filling up. */
const OPEN_CONCURRENCY = 200;

/** The n-th client's source address: PER_ADDRESS clients per address, 127.0.1.1 onwards. */
function addressOf(n: number): string {
  const k = Math.floor(n / PER_ADDRESS);
  return `127.0.${1 + Math.floor(k / 254)}.${1 + (k % 254)}`;
}

function open(url: string, n: number): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/one2one`, {
    localAddress: addressOf(n),
    headers: { Origin: url },
  });
  return new Promise((ok, fail) => {
    ws.once('open', () => ok(ws));
    ws.once('error', fail);
  });
}

async function openMany(url: string, first: number, count: number): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  for (let i = 0; i < count; i += OPEN_CONCURRENCY) {
    const batch = Array.from({ length: Math.min(OPEN_CONCURRENCY, count - i) }, (_, j) => open(url, first + i + j));
    sockets.push(...(await Promise.all(batch)));
  }
  return sockets;
}

/** One active user: registers, then its sends and the answers they get, in order. */
class ActiveUser {
  private readonly sentAt: number[] = [];
  readonly replies: number[] = [];
  unexpected = 0;

  constructor(
    private readonly ws: WebSocket,
    name: string,
  ) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id: string; response?: string };
      if (message.id === 'callResponse' && message.response === 'rejected') {
        const at = this.sentAt.shift();
        if (at !== undefined) this.replies.push(performance.now() - at);
      } else if (message.id !== 'registerResponse') {
        this.unexpected++;
      }
    });
    ws.send(JSON.stringify({ id: 'register', name }));
  }

  call(): void {
    this.sentAt.push(performance.now());
    this.ws.send(JSON.stringify({ id: 'call', to: 'nobody-here', sdpOffer: 'v=0' }));
  }

  get waiting(): number {
    return this.sentAt.length;
  }
}

async function main(): Promise<void> {
  const server = await startStageServer();
  const pid = server.child.pid!;
  const placement = placeBenchmark(pid, 'application server (with its idle engine)');
  const sockets: WebSocket[] = [];
  try {
    await sleep(2000);
    const rssBefore = usage(pid).rssMiB;
    const t0 = Date.now();
    sockets.push(...(await openMany(server.url, 0, IDLE_SOCKETS)));
    const openSeconds = (Date.now() - t0) / 1000;
    // Let the server settle (and its pings go round) before reading its memory.
    await sleep(5000);
    const idleWindow = cpuWindow(placement);
    await sleep(5000);
    const idleCpu = idleWindow.stop();
    const rssIdle = usage(pid).rssMiB;

    const activeSockets = await openMany(server.url, IDLE_SOCKETS, ACTIVE_SOCKETS);
    sockets.push(...activeSockets);
    const users = activeSockets.map((ws, i) => new ActiveUser(ws, `bench-${i}`));
    await sleep(1000);
    const interval = 1000 / (RATE / ACTIVE_SOCKETS);
    let sent = 0;
    const window = cpuWindow(placement);
    const start = performance.now();
    // Each user sends on its own schedule, offset so that sends spread evenly.
    const timers = users.map((user, i) =>
      setTimeout(
        () =>
          timers.push(
            setInterval(() => {
              user.call();
              sent++;
            }, interval),
          ),
        (interval * i) / ACTIVE_SOCKETS,
      ),
    );
    await sleep(MEASURE_SECONDS * 1000);
    timers.forEach((t) => clearInterval(t));
    const elapsed = (performance.now() - start) / 1000;
    const cpu = window.stop();
    await sleep(2000); // the last answers
    const replies = users.flatMap((u) => u.replies);
    const unanswered = users.reduce((n, u) => n + u.waiting, 0);
    const unexpected = users.reduce((n, u) => n + u.unexpected, 0);
    const rssLoaded = usage(pid).rssMiB;

    console.log(`\nSignaling against the application server (one2one), ${cpus().length} cores, ${cpus()[0]?.model ?? ''}`);
    console.log(placement.summary);
    console.log('| measure | result |');
    console.log('|---|---:|');
    console.log(`| server RSS, no sockets | ${rssBefore.toFixed(0)} MiB |`);
    console.log(`| ${IDLE_SOCKETS} idle sockets opened in | ${openSeconds.toFixed(1)} s |`);
    console.log(`| server RSS with ${IDLE_SOCKETS} idle sockets | ${rssIdle.toFixed(0)} MiB |`);
    console.log(`| server CPU with them idle | ${idleCpu.server.toFixed(1)} % of one core |`);
    console.log(
      `| messages sent by ${ACTIVE_SOCKETS} active sockets | ${sent} in ${elapsed.toFixed(1)} s (${(sent / elapsed).toFixed(0)}/s) |`,
    );
    console.log(`| answered / unanswered / unexpected | ${replies.length} / ${unanswered} / ${unexpected} |`);
    console.log(
      `| reply time p50 / p99 / max | ${percentile(replies, 50).toFixed(1)} / ${percentile(replies, 99).toFixed(1)} / ${Math.max(...replies).toFixed(1)} ms |`,
    );
    console.log(`| server CPU under load | ${cpu.server.toFixed(1)} % of one core |`);
    console.log(
      `| generator CPU under load | ${cpu.generator.toFixed(1)} % of ${placement.generatorCoreCount} core(s)${cpu.generatorSaturated ? ' (SATURATED: the reply times measure the generator)' : ''} |`,
    );
    console.log(`| server RSS after the load | ${rssLoaded.toFixed(0)} MiB |`);
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
