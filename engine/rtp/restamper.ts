// Keeps an element's output one continuous RTP stream when what feeds it is not: a player
// that seeks (its timestamps jump back) or a helper process that restarts (new SSRC, new
// sequence). Sinks then see steady sequence numbers and timestamps that only move forward,
// which is what a browser's jitter buffer needs to keep playing.

import type { RtpPacket } from 'werift';

/** A jump larger than this (either way) is a discontinuity, not the stream's own pace. */
const MAX_STEP_SECONDS = 2;

export class RtpRestamper {
  private readonly clockRate: number;
  private inSsrc: number | undefined;
  private lastInTs = 0;
  private lastInSeq = 0;
  private outTs = Math.floor(Math.random() * 0x7fffffff);
  private outSeq = Math.floor(Math.random() * 0x7fff);
  private lastWallMs = 0;

  constructor(clockRate: number) {
    this.clockRate = clockRate;
  }

  /** The output timestamp and sequence number of the last packet advanced. */
  get timestamp(): number {
    return this.outTs;
  }

  get sequenceNumber(): number {
    return this.outSeq;
  }

  /** Rewrites the packet's timestamp and sequence number in place (it must not be shared). */
  restamp(packet: RtpPacket, now = Date.now()): RtpPacket {
    const { ssrc, timestamp, sequenceNumber } = packet.header;
    this.advance(ssrc, timestamp, sequenceNumber, now);
    packet.header.timestamp = this.outTs;
    packet.header.sequenceNumber = this.outSeq;
    return packet;
  }

  /** Takes in one packet's stamps; `timestamp` and `sequenceNumber` then give its output ones. */
  advance(ssrc: number, timestamp: number, sequenceNumber: number, now = Date.now()): void {
    if (this.inSsrc === undefined) {
      this.inSsrc = ssrc;
    } else {
      const newSource = ssrc !== this.inSsrc;
      const step = (timestamp - this.lastInTs) | 0; // signed, across the 32-bit wrap
      const seqStep = (sequenceNumber - this.lastInSeq) & 0xffff;
      if (newSource || step < 0 || step > MAX_STEP_SECONDS * this.clockRate) {
        // Continue from where the output was, advanced by the time that really passed.
        const elapsed = Math.max(1, Math.round(((now - this.lastWallMs) * this.clockRate) / 1000));
        this.outTs = (this.outTs + elapsed) >>> 0;
        this.outSeq = (this.outSeq + 1) & 0xffff;
        this.inSsrc = ssrc;
      } else {
        this.outTs = (this.outTs + step) >>> 0;
        this.outSeq = (this.outSeq + (seqStep < 0x8000 ? seqStep : 1)) & 0xffff;
      }
    }
    this.lastInTs = timestamp;
    this.lastInSeq = sequenceNumber;
    this.lastWallMs = now;
  }
}
