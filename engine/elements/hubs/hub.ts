// Hubs (KMS's Hub): objects that join media from several HubPorts. A HubPort is an element
// like any other: what a source sends into it goes to its hub, and what the hub gives it
// leaves through its output to the port's sinks. The hub decides what each port gets:
// the Dispatchers route one port's media to others as it is; the mixing hubs (Composite,
// AlphaBlending, Mixer) make new pictures or audio mixes. A hub owns its ports, as their parent: releasing the
// hub releases them.

import type { RtpPacket } from 'werift';
import { KmsError } from '../../protocol/errors';
import type { CodecInfo, MediaKind } from '../../rtp/fanout';
import { MediaObject, type EngineContext } from '../media-object';
import type { HubPort } from './hub-port';

export abstract class Hub extends MediaObject {
  private readonly pipeline: MediaObject;
  /** The ports, in the order they were made (KMS's port ids grow the same way). */
  protected readonly ports = new Set<HubPort>();

  protected constructor(ctx: EngineContext, type: string, pipeline: MediaObject) {
    super(ctx, type, pipeline);
    this.pipeline = pipeline;
  }

  get mediaPipeline(): MediaObject {
    return this.pipeline;
  }

  addPort(port: HubPort): void {
    this.ports.add(port);
    this.onPortAdded(port);
  }

  removePort(port: HubPort): void {
    if (this.ports.delete(port)) this.onPortRemoved(port);
  }

  /** A HubPort argument that belongs to this hub. */
  protected ownPort(id: unknown): HubPort {
    const port = this.resolve<HubPort>(id, 'HubPort');
    if (!this.ports.has(port)) {
      throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `HubPort '${port.id}' belongs to another hub`);
    }
    return port;
  }

  protected onPortAdded(_port: HubPort): void {}
  protected onPortRemoved(_port: HubPort): void {}

  /** A packet a source sent into `port`. */
  abstract onPortPacket(port: HubPort, kind: MediaKind, packet: RtpPacket, codec: CodecInfo | undefined): void;

  /** A sink of `port` needs a keyframe of what the hub gives that port. */
  abstract onPortKeyframeRequest(port: HubPort, kind: MediaKind): void;
}
