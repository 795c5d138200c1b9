// Mixer: KMS's selectable mixer (kmsselectablemixer.c). Nothing flows until the application
// routes it: connect(VIDEO, source, sink) makes `sink` give out `source`'s video as it is
// (one source per sink; a new one replaces the old), and connect(AUDIO, source, sink) adds
// `source`'s audio to `sink`'s own mix, which disconnect(AUDIO, ...) takes it out of. As in
// KMS, video cannot be disconnected, and DATA cannot be routed.

import type { RtpPacket } from 'werift';
import { KmsError } from '../../protocol/errors';
import type { CodecInfo } from '../../rtp/fanout';
import type { EngineContext, MediaObject } from '../media-object';
import type { HubPort } from './hub-port';
import { MixingHub } from './mixing-hub';

export class Mixer extends MixingHub {
  /** Sink port → the port whose video it gives out. */
  private readonly videoRoutes = new Map<HubPort, HubPort>();
  /** Audio routes, as "source sink" pairs of ports, for a restarted mixer. */
  private readonly audioRoutes = new Map<string, [HubPort, HubPort]>();

  constructor(ctx: EngineContext, pipeline: MediaObject) {
    super(ctx, 'Mixer', pipeline, { layout: 'none', audio: 'routed' });
    this.handle('connect', (p) => this.route('connect', p.media, p.source, p.sink));
    this.handle('disconnect', (p) => this.route('disconnect', p.media, p.source, p.sink));
  }

  private route(action: 'connect' | 'disconnect', media: unknown, sourceId: unknown, sinkId: unknown): void {
    if (media !== 'AUDIO' && media !== 'VIDEO') throw new KmsError('UNSUPPORTED_MEDIA_TYPE', 'Invalid media type');
    if (media === 'VIDEO' && action === 'disconnect') {
      throw new KmsError('UNSUPPORTED_MEDIA_TYPE', 'Video disconnection is not implemented yet');
    }
    const source = this.ownPort(sourceId);
    const sink = this.ownPort(sinkId);
    if (media === 'VIDEO') {
      if (this.videoRoutes.get(sink) === source) return;
      this.videoRoutes.set(sink, source);
      source.requestKeyframeFromSource('video');
      return;
    }
    const key = `${source.id} ${sink.id}`;
    if (action === 'connect') this.audioRoutes.set(key, [source, sink]);
    else this.audioRoutes.delete(key);
    this.tell(this.audioCommand(action, source, sink));
  }

  private audioCommand(action: 'connect' | 'disconnect', source: HubPort, sink: HubPort): Record<string, unknown> {
    return { cmd: `${action}-audio`, source: this.memberId(source), sink: this.memberId(sink) };
  }

  protected override stateCommands(): Record<string, unknown>[] {
    return [...this.audioRoutes.values()].map(([source, sink]) => this.audioCommand('connect', source, sink));
  }

  protected override routeVideo(port: HubPort, packet: RtpPacket, codec: CodecInfo | undefined): void {
    for (const [sink, source] of this.videoRoutes) if (source === port) sink.deliver('video', packet, codec);
  }

  protected override onRoutedKeyframeRequest(port: HubPort): void {
    this.videoRoutes.get(port)?.requestKeyframeFromSource('video');
  }

  protected override onPortRemoved(port: HubPort): void {
    this.videoRoutes.delete(port);
    for (const [sink, source] of this.videoRoutes) if (source === port) this.videoRoutes.delete(sink);
    for (const [key, [source, sink]] of this.audioRoutes) if (source === port || sink === port) this.audioRoutes.delete(key);
    super.onPortRemoved(port);
  }
}
