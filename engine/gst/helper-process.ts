// One GStreamer helper process (helper.py), the loopback UDP socket that sends it RTP, and
// the loopback TCP server its RTP comes back on (rtp-stream.ts says why TCP). The owner (a
// player or filter element) gets RTP packets and events, sends commands, and closes it;
// closing kills the process and frees both sockets, and the process also exits by itself
// if our end of its stdin goes away, so a crashed engine leaves no helper behind.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import { RtpPacket } from 'werift';
import { KmsError } from '../protocol/errors';
import { RtpStreamServer } from './rtp-stream';

/** What helpers may take: how many run at once in this engine, and each one's memory. */
export interface HelperLimits {
  maxHelpers: number;
  memoryMb: number;
}

export type HelperEvent = { event: string; [key: string]: unknown };

/** What GLib, GStreamer and Python print when an allocation fails under RLIMIT_DATA. */
const OUT_OF_MEMORY =
  /failed to create thread|Resource temporarily unavailable|out of memory|Cannot allocate memory|MemoryError|failed to allocate/i;

/** From src (ts) or dist (js), the helper script sits in engine/gst of the checkout. */
function helperScript(): string {
  const candidates = [resolve(__dirname, 'helper.py'), resolve(__dirname, '../../../engine/gst/helper.py')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`GStreamer helper script not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Where each element the helpers use comes from, for an error that says what to install. */
const PACKAGES: Record<string, string> = {
  uridecodebin: 'gstreamer1.0-plugins-base',
  videoconvert: 'gstreamer1.0-plugins-base',
  videoscale: 'gstreamer1.0-plugins-base',
  audioconvert: 'gstreamer1.0-plugins-base',
  audioresample: 'gstreamer1.0-plugins-base',
  opusenc: 'gstreamer1.0-plugins-base',
  compositor: 'gstreamer1.0-plugins-base',
  appsrc: 'gstreamer1.0-plugins-base',
  udpsrc: 'gstreamer1.0-plugins-good',
  udpsink: 'gstreamer1.0-plugins-good',
  rtpstreampay: 'gstreamer1.0-plugins-good',
  tcpclientsink: 'gstreamer1.0-plugins-base',
  videobalance: 'gstreamer1.0-plugins-good',
  videoflip: 'gstreamer1.0-plugins-good',
  gamma: 'gstreamer1.0-plugins-good',
  edgetv: 'gstreamer1.0-plugins-good',
  coloreffects: 'gstreamer1.0-plugins-bad',
  tee: 'gstreamer1.0 (core)',
  queue: 'gstreamer1.0 (core)',
  identity: 'gstreamer1.0 (core)',
  fakesink: 'gstreamer1.0 (core)',
  vp8enc: 'gstreamer1.0-plugins-good',
  vp8dec: 'gstreamer1.0-plugins-good',
  rtpvp8pay: 'gstreamer1.0-plugins-good',
  rtpvp8depay: 'gstreamer1.0-plugins-good',
  rtpopuspay: 'gstreamer1.0-plugins-good',
  rtpjitterbuffer: 'gstreamer1.0-plugins-good',
  alpha: 'gstreamer1.0-plugins-good',
  gdkpixbufoverlay: 'gstreamer1.0-plugins-good',
  imagefreeze: 'gstreamer1.0-plugins-good',
  facedetect: 'gstreamer1.0-opencv and opencv-data',
};
// The effectv elements (agingtv, dicetv, ...) all come with gstreamer1.0-plugins-good.
const packageOf = (element: string): string =>
  PACKAGES[element] ?? (element.endsWith('tv') ? 'gstreamer1.0-plugins-good' : 'gstreamer1.0-plugins-bad');

export const GSTREAMER_PACKAGES =
  'python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0 gir1.2-gdkpixbuf-2.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad';

const probed = new Map<string, string | undefined>();

/**
 * Why GStreamer cannot do `elements` here (in words naming the packages), or undefined if
 * it can. Checked once per interpreter and element set, synchronously: it runs at the first
 * `create` of a player or filter and keeps the rest of the engine out of it.
 */
export function gstreamerMissing(python: string, elements: string[]): string | undefined {
  const key = `${python}|${elements.join(',')}`;
  if (probed.has(key)) return probed.get(key);
  let reason: string | undefined;
  const result = spawnSync(python, [helperScript(), JSON.stringify({ mode: 'probe', elements })], {
    encoding: 'utf8',
    timeout: 15_000,
  });
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : (result.stderr.trim().split('\n').at(-1) ?? `exit ${result.status}`);
    reason = `GStreamer is not available to the embedded media server (${why}); install ${GSTREAMER_PACKAGES}`;
  } else {
    const missing = (JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as { missing?: string[] }).missing ?? [];
    if (missing.length > 0) {
      const packages = [...new Set(missing.map(packageOf))];
      reason = `GStreamer lacks ${missing.join(', ')}; install ${packages.join(', ')}`;
    }
  }
  probed.set(key, reason);
  return reason;
}

/** What starting a helper takes: `config` builds its settings from the port its RTP comes back to. */
type StartArgs = [
  python: string,
  limits: HelperLimits,
  config: (port: number) => Record<string, unknown>,
  log: Logger,
  onRtp: (packet: RtpPacket) => void,
  onEvent: (e: HelperEvent) => void,
];

export class GstHelper {
  /** Helpers of this engine that run, and starts under way: each decodes and encodes video. */
  private static readonly live = new Set<GstHelper>();
  private static starting = 0;

  private readonly child: ChildProcess;
  private readonly socket: Socket;
  private readonly output: RtpStreamServer;
  private readonly pending = new Map<number, (reply: Record<string, unknown>) => void>();
  private nextId = 1;
  private closed = false;
  /** Set when the process ended without being asked to. */
  onExit: (code: number | null) => void = () => {};

  private outOfMemory = false;

  private constructor(
    child: ChildProcess,
    socket: Socket,
    output: RtpStreamServer,
    log: Logger,
    onEvent: (e: HelperEvent) => void,
    memoryMb: number,
  ) {
    this.child = child;
    this.socket = socket;
    this.output = output;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(line) as Record<string, unknown>;
      } catch {
        log.debug({ line }, 'helper said something that is not JSON');
        return;
      }
      if (typeof message.reply === 'number') {
        this.pending.get(message.reply)?.(message);
        this.pending.delete(message.reply);
      } else if (typeof message.event === 'string') {
        onEvent(message as HelperEvent);
      }
    });
    createInterface({ input: child.stderr! }).on('line', (line) => {
      log.debug({ helper: line }, 'gstreamer');
      // Out of memory shows as a failed allocation or thread, not as an error of ours: name it.
      if (!this.outOfMemory && OUT_OF_MEMORY.test(line)) {
        this.outOfMemory = true;
        onEvent({
          event: 'error',
          message: `the GStreamer process reached its memory limit of ${memoryMb} MB (ENGINE_HELPER_MEMORY_MB)`,
        });
      }
    });
    child.stdin!.on('error', () => undefined);
    GstHelper.live.add(this);
    child.on('exit', (code) => {
      GstHelper.live.delete(this);
      for (const reply of this.pending.values()) reply({ error: 'the GStreamer helper ended' });
      this.pending.clear();
      if (!this.closed) this.onExit(code);
    });
  }

  /**
   * Starts a helper; `config` builds its settings from the TCP port its RTP comes back to.
   * Refused in words (NOT_ENOUGH_RESOURCES) when the engine already runs its maximum.
   */
  static async start(...args: StartArgs): Promise<GstHelper> {
    const [, limits] = args;
    const running = GstHelper.live.size + GstHelper.starting;
    if (running >= limits.maxHelpers) {
      throw new KmsError(
        'NOT_ENOUGH_RESOURCES',
        `${running} GStreamer processes (players and filters) are running, the most this media server allows (ENGINE_MAX_HELPERS)`,
      );
    }
    // Counted while it starts, so that helpers starting at the same moment cannot all pass.
    GstHelper.starting++;
    try {
      return await GstHelper.spawn(...args);
    } finally {
      GstHelper.starting--;
    }
  }

  private static async spawn(...[python, limits, config, log, onRtp, onEvent]: StartArgs): Promise<GstHelper> {
    const socket = createSocket('udp4');
    await new Promise<void>((ok, fail) => {
      socket.once('error', fail);
      socket.bind(0, '127.0.0.1', () => ok());
    });
    // NOTE: the UDP socket is ours until the helper exists to own it.
    const output = await RtpStreamServer.listen((buf) => {
      try {
        onRtp(RtpPacket.deSerialize(buf));
      } catch {
        // not RTP: ignore it
      }
    }).catch((err: unknown) => {
      socket.close();
      throw err;
    });
    const settings = { ...config(output.port), memoryMb: limits.memoryMb };
    const child = spawn(python, [helperScript(), JSON.stringify(settings)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const helper = new GstHelper(child, socket, output, log, onEvent, limits.memoryMb);
    await new Promise<void>((ok, fail) => {
      child.once('spawn', ok);
      child.once('error', (err) => {
        helper.close();
        fail(new Error(`the GStreamer helper did not start (${err.message}); install ${GSTREAMER_PACKAGES}`));
      });
    });
    return helper;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Sends RTP to the helper's input port. */
  sendRtp(port: number, packet: Buffer): void {
    if (!this.closed) this.socket.send(packet, port, '127.0.0.1');
  }

  /** A command with no answer expected. */
  send(command: Record<string, unknown>): void {
    if (this.closed) return;
    this.child.stdin!.write(`${JSON.stringify(command)}\n`);
  }

  /**
   * A command whose answer comes back. Rejects, in words, when the helper answers with an
   * error, does not answer in time, or has ended: a caller never mistakes a failure for a reply.
   */
  request(command: Record<string, unknown>, timeoutMs = 5000): Promise<Record<string, unknown>> {
    if (this.closed) return Promise.reject(new Error('the GStreamer helper is closed'));
    const id = this.nextId++;
    return new Promise((ok, fail) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        fail(new Error(`the GStreamer helper did not answer '${String(command.cmd)}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, (reply) => {
        clearTimeout(timer);
        if (typeof reply.error === 'string') fail(new Error(reply.error));
        else ok(reply);
      });
      this.send({ ...command, id });
    });
  }

  /** Ends the process and frees the sockets. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    GstHelper.live.delete(this);
    this.child.stdin?.end();
    this.child.kill('SIGKILL');
    this.socket.close();
    this.output.close();
  }
}
