// Turns one RTP stream back into whole encoded frames, for elements that store or decode
// media rather than forward it. Packets are put back in sequence order within a short
// window (retransmissions arrive late); a frame with a hole in it is dropped, and video
// then waits for the next keyframe, since VP8 cannot decode across a lost reference.

import type { RtpPacket } from 'werift';
import { vp8Descriptor } from '../rtp/vp8';

export interface EncodedFrame {
  /** RTP timestamp, unwrapped to keep growing past 2^32. */
  timestamp: number;
  data: Buffer;
  keyframe: boolean;
}

/** How many packets may wait for a missing one before it is given up. */
const REORDER_WINDOW = 48;

/** a − b in sequence-number space: negative when a comes before b. */
function seqDiff(a: number, b: number): number {
  const d = (a - b) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

export class FrameAssembler {
  private readonly video: boolean;
  private readonly onFrame: (frame: EncodedFrame) => void;
  private readonly onLoss: () => void;
  private readonly pending = new Map<number, RtpPacket>();
  private nextSeq: number | undefined;
  private parts: Buffer[] = [];
  private partsTs: number | undefined;
  private partsComplete = true;
  private needKeyframe: boolean;
  private lastTs: number | undefined;
  private tsBase = 0;

  constructor(kind: 'audio' | 'video', onFrame: (frame: EncodedFrame) => void, onLoss: () => void = () => {}) {
    this.video = kind === 'video';
    this.needKeyframe = this.video;
    this.onFrame = onFrame;
    this.onLoss = onLoss;
  }

  push(packet: RtpPacket): void {
    const seq = packet.header.sequenceNumber;
    if (this.nextSeq === undefined) this.nextSeq = seq;
    if (seqDiff(seq, this.nextSeq) < 0) return; // late duplicate or too late to use
    this.pending.set(seq, packet);
    this.drain();
    if (this.pending.size > REORDER_WINDOW) {
      // Give up on the hole: skip to the oldest packet we hold.
      const oldest = [...this.pending.keys()].reduce((a, b) => (seqDiff(a, b) < 0 ? a : b));
      this.nextSeq = oldest;
      this.lost();
      this.drain();
    }
  }

  private drain(): void {
    for (;;) {
      const seq = this.nextSeq as number;
      const packet = this.pending.get(seq);
      if (!packet) return;
      this.pending.delete(seq);
      this.nextSeq = (seq + 1) & 0xffff;
      this.consume(packet);
    }
  }

  private lost(): void {
    this.partsComplete = false;
    if (this.video) this.needKeyframe = true;
    this.onLoss();
  }

  private consume(packet: RtpPacket): void {
    const ts = this.unwrap(packet.header.timestamp);
    if (!this.video) {
      this.onFrame({ timestamp: ts, data: packet.payload, keyframe: true });
      return;
    }
    const d = vp8Descriptor(packet.payload);
    if (!d) return;
    if (d.frameStart || ts !== this.partsTs) {
      // A new frame begins; whatever was collected without a marker is incomplete.
      this.parts = [];
      this.partsTs = ts;
      this.partsComplete = d.frameStart;
    }
    this.parts.push(packet.payload.subarray(d.offset));
    if (!packet.header.marker) return;
    const data = Buffer.concat(this.parts);
    const complete = this.partsComplete;
    this.parts = [];
    this.partsTs = undefined;
    if (!complete || data.length === 0) return;
    const keyframe = ((data[0] ?? 1) & 0x01) === 0;
    if (this.needKeyframe && !keyframe) return;
    this.needKeyframe = false;
    this.onFrame({ timestamp: ts, data, keyframe });
  }

  private unwrap(ts: number): number {
    if (this.lastTs !== undefined) {
      const prev = this.lastTs % 0x100000000;
      if (ts < prev && prev - ts > 0x80000000) this.tsBase += 0x100000000;
      else if (ts > prev && ts - prev > 0x80000000) return this.tsBase - 0x100000000 + ts; // a late packet from before a wrap
    }
    this.lastTs = this.tsBase + ts;
    return this.lastTs;
  }
}
