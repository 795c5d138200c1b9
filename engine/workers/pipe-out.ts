// The source's end of a pipe to another media worker: it taps what one element publishes and
// posts it to the worker where some of that element's sinks live, and it brings back what those
// sinks ask for (keyframes, and how much they can take, which the source folds in as it does a
// local sink's). One pipe per source and far worker, however many sinks are there: the packet
// crosses once, and the far worker fans it out.

import type { MessagePort } from 'node:worker_threads';
import type { RtpPacket } from 'werift';
import type { MediaElement, OutputTap, TapHandle } from '../elements/media-element';
import type { DataMessage } from '../media/data-fanout';
import type { CodecInfo, MediaKind } from '../rtp/fanout';
import type { PipeDown, PipeUp } from './messages';

/** A far estimate older than this is no longer an opinion (its sender posts one a second). */
const ESTIMATE_STALE_MS = 3000;

export class PipeOut implements OutputTap {
  private readonly handle: TapHandle;
  private readonly codecs = new Map<MediaKind, CodecInfo | undefined>();
  private readonly estimates = new Map<MediaKind, { bps: number; at: number }>();
  private closed = false;

  constructor(
    source: MediaElement,
    private readonly port: MessagePort,
    private readonly onClosed: () => void,
  ) {
    this.handle = source.addTap(this);
    port.on('message', (message: PipeUp) => this.onUp(message));
  }

  packet(kind: MediaKind, packet: RtpPacket, codec: CodecInfo | undefined): void {
    if (!this.codecs.has(kind) || this.codecs.get(kind) !== codec) {
      this.codecs.set(kind, codec);
      this.post({ t: 'codec', kind, codec });
    }
    // NOTE: a copy into a buffer of its own, then transferred: cloning a view of Node's shared
    // pool would copy the whole pool.
    const bytes = new Uint8Array(packet.serialize());
    this.post({ t: 'rtp', kind, bytes }, [bytes.buffer]);
  }

  data(message: DataMessage): void {
    this.post(typeof message === 'string' ? { t: 'data', text: message } : { t: 'data', binary: new Uint8Array(message) });
  }

  end(kind: MediaKind): void {
    this.post({ t: 'end', kind });
  }

  estimate(kind: MediaKind): number {
    const last = this.estimates.get(kind);
    return last && Date.now() - last.at < ESTIMATE_STALE_MS ? last.bps : 0;
  }

  /** The source is going away, or the far worker is: the pipe closes. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.handle.remove();
    this.port.close();
    this.onClosed();
  }

  private onUp(message: PipeUp): void {
    if (message.t === 'keyframe') this.handle.requestKeyframe(message.kind);
    else this.estimates.set(message.kind, { bps: message.bps, at: Date.now() });
  }

  private post(message: PipeDown, transfer?: ArrayBuffer[]): void {
    if (!this.closed) this.port.postMessage(message, transfer);
  }
}
