// PassThrough: forwards whatever reaches it, untouched. Useful as a fan-out point.

import type { RtpPacket } from 'werift';
import type { MediaKind, RtpFanout } from '../rtp/fanout';
import { MediaElement } from './media-element';
import type { EngineContext, MediaObject } from './media-object';

export class PassThrough extends MediaElement {
  constructor(ctx: EngineContext, pipeline: MediaObject) {
    super(ctx, 'PassThrough', pipeline);
  }

  protected onInputPacket(kind: MediaKind, packet: RtpPacket, source: RtpFanout): void {
    const out = this.output(kind);
    out.codec = source.codec;
    out.push(packet);
  }

  protected override onKeyframeRequested(kind: MediaKind): void {
    this.requestKeyframeUpstream(kind);
  }

  /** Forwarding untouched, it can send on what its own sinks can take. */
  protected override sendEstimate(kind: MediaKind): number {
    return this.sinksEstimate(kind);
  }
}
