// One element's outgoing stream of one kind (audio or video): the packets it produces and
// the sinks listening to them. Keyframe requests from any sink funnel through here and go
// upstream at most once per interval, because a PLI storm makes a VP8 encoder send nothing
// but keyframes. Bitrate estimates flow the same way: each sink may say how much it can
// send on, and the producer takes the smallest (KMS's REMB event manager does the same).

import type { RtpPacket } from 'werift';
import { vp8Keyframe } from './vp8';

export type MediaKind = 'audio' | 'video';
export type RtpListener = (packet: RtpPacket) => void;
/** A sink's current send estimate in bps; 0 when it has none (no feedback, or stale). */
export type SinkEstimator = () => number;

export interface CodecInfo {
  mimeType: string;
  clockRate: number;
}

const KEYFRAME_MIN_INTERVAL_MS = 500;

export class RtpFanout {
  readonly kind: MediaKind;
  private codecInfo: CodecInfo | undefined;
  /** Decided once per codec, not per packet. */
  private isVp8 = false;
  private readonly listeners = new Set<RtpListener>();
  private readonly endListeners = new Set<() => void>();
  private readonly askUpstream: () => void;
  private readonly estimators = new Map<object, SinkEstimator>();
  /** Guards a cycle of forwarding elements from asking itself forever. */
  private estimating = false;
  private lastRequest = 0;
  private pending: NodeJS.Timeout | undefined;
  private closed = false;
  /** Packets pushed, for stats and media-flow detection. */
  packets = 0;
  bytes = 0;
  lastPacketAt = 0;
  /** Video only: frames completed (marker bit), keyframes, and the last keyframe's size. */
  frames = 0;
  keyframes = 0;
  width = 0;
  height = 0;
  private rateMark = { at: Date.now(), frames: 0 };

  constructor(kind: MediaKind, askUpstream: () => void) {
    this.kind = kind;
    this.askUpstream = askUpstream;
  }

  get sinkCount(): number {
    return this.listeners.size;
  }

  /** `onEnd` hears when the stream ends (its producer finished or went away). */
  subscribe(listener: RtpListener, onEnd?: () => void): () => void {
    this.listeners.add(listener);
    if (onEnd) this.endListeners.add(onEnd);
    return () => {
      this.listeners.delete(listener);
      if (onEnd) this.endListeners.delete(onEnd);
    };
  }

  /** The producer has no more media (end of a file, or it is going away). */
  end(): void {
    for (const listener of [...this.endListeners]) listener();
  }

  push(packet: RtpPacket): void {
    this.packets++;
    this.bytes += packet.payload.length;
    this.lastPacketAt = Date.now();
    if (this.kind === 'video') this.observeVideo(packet);
    for (const listener of this.listeners) listener(packet);
  }

  get codec(): CodecInfo | undefined {
    return this.codecInfo;
  }

  set codec(codec: CodecInfo | undefined) {
    this.codecInfo = codec;
    this.isVp8 = codec?.mimeType.toLowerCase() === 'video/vp8';
  }

  private observeVideo(packet: RtpPacket): void {
    if (packet.header.marker) this.frames++;
    if (!this.isVp8) return;
    const key = vp8Keyframe(packet.payload);
    if (key) {
      this.keyframes++;
      this.width = key.width;
      this.height = key.height;
    }
  }

  /** Frames per second since the previous call. */
  takeFrameRate(now = Date.now()): number {
    const seconds = (now - this.rateMark.at) / 1000;
    const rate = seconds > 0 ? (this.frames - this.rateMark.frames) / seconds : 0;
    this.rateMark = { at: now, frames: this.frames };
    return rate;
  }

  /** `sink` can say how much it may send on; it stays until `removeEstimator(sink)`. */
  addEstimator(sink: object, estimate: SinkEstimator): void {
    this.estimators.set(sink, estimate);
  }

  removeEstimator(sink: object): void {
    this.estimators.delete(sink);
  }

  /** The smallest estimate any sink has now, in bps; 0 when none has one. */
  sinkEstimate(): number {
    if (this.estimating) return 0;
    this.estimating = true;
    try {
      let least = 0;
      for (const estimate of this.estimators.values()) {
        const bps = estimate();
        if (bps > 0 && (least === 0 || bps < least)) least = bps;
      }
      return least;
    } finally {
      this.estimating = false;
    }
  }

  /** Asks the producer for a keyframe, coalescing requests that arrive close together. */
  requestKeyframe(): void {
    if (this.closed || this.kind !== 'video') return;
    const now = Date.now();
    const wait = this.lastRequest + KEYFRAME_MIN_INTERVAL_MS - now;
    if (wait <= 0) {
      this.lastRequest = now;
      this.askUpstream();
      return;
    }
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.requestKeyframe();
    }, wait);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.pending);
    this.pending = undefined;
    this.listeners.clear();
    this.endListeners.clear();
    this.estimators.clear();
  }
}
