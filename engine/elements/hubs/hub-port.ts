// HubPort: a hub's way in and out. Media connected into it goes to the hub; what the hub
// gives it is sent on to its sinks, as one continuous stream whatever the hub switches.

import { RtpHeader, RtpPacket } from 'werift';
import type { CodecInfo, MediaKind, RtpFanout } from '../../rtp/fanout';
import { RtpRestamper } from '../../rtp/restamper';
import { MediaElement } from '../media-element';
import type { EngineContext } from '../media-object';
import type { Hub } from './hub';

export class HubPort extends MediaElement {
  readonly hub: Hub;
  private readonly restampers = { audio: new RtpRestamper(48000), video: new RtpRestamper(90000) };

  constructor(ctx: EngineContext, hub: Hub) {
    super(ctx, 'HubPort', hub.mediaPipeline, hub);
    this.hub = hub;
  }

  override attach(): this {
    super.attach();
    this.hub.addPort(this);
    return this;
  }

  protected onInputPacket(kind: MediaKind, packet: RtpPacket, source: RtpFanout): void {
    this.hub.onPortPacket(this, kind, packet, source.codec);
  }

  /** What the hub gives this port: sent on to its sinks, restamped (sources change). */
  deliver(kind: MediaKind, packet: RtpPacket, codec: CodecInfo | undefined): void {
    const out = this.output(kind);
    if (out.codec !== codec) out.codec = codec;
    const own = new RtpPacket(new RtpHeader({ ...packet.header }), packet.payload);
    out.push(this.restampers[kind].restamp(own));
  }

  /** The hub wants a keyframe from whatever feeds this port. */
  requestKeyframeFromSource(kind: MediaKind): void {
    this.requestKeyframeUpstream(kind);
  }

  protected override onKeyframeRequested(kind: MediaKind): void {
    this.hub.onPortKeyframeRequest(this, kind);
  }

  protected override async dispose(): Promise<void> {
    this.hub.removePort(this);
    await super.dispose();
  }
}
