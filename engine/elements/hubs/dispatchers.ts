// Dispatcher and DispatcherOneToMany: hubs that route media between their ports as it is,
// with no mixing and no transcoding. Dispatcher.connect(source, sink) makes `sink` give what
// `source` takes in (each sink has one source; a source may feed many). DispatcherOneToMany
// gives every port, the source's own included (as KMS links them), what its source takes in.
// A switch asks the new source for a keyframe, so the sinks' pictures recover at once.

import type { RtpPacket } from 'werift';
import type { CodecInfo, MediaKind } from '../../rtp/fanout';
import type { EngineContext, MediaObject } from '../media-object';
import { Hub } from './hub';
import type { HubPort } from './hub-port';

const KINDS: MediaKind[] = ['audio', 'video'];

/** Routing shared by both: which source each port gives out. */
abstract class RoutingHub extends Hub {
  /** Sink port → the port whose input it gives out. */
  protected readonly routes = new Map<HubPort, HubPort>();

  onPortPacket(port: HubPort, kind: MediaKind, packet: RtpPacket, codec: CodecInfo | undefined): void {
    for (const [sink, source] of this.routes) if (source === port) sink.deliver(kind, packet, codec);
  }

  onPortKeyframeRequest(port: HubPort, kind: MediaKind): void {
    this.routes.get(port)?.requestKeyframeFromSource(kind);
  }

  protected route(sink: HubPort, source: HubPort | undefined): void {
    if (source === undefined) {
      this.routes.delete(sink);
      return;
    }
    if (this.routes.get(sink) === source) return;
    this.routes.set(sink, source);
    for (const kind of KINDS) source.requestKeyframeFromSource(kind);
  }

  protected override onPortRemoved(port: HubPort): void {
    this.routes.delete(port);
    for (const [sink, source] of this.routes) if (source === port) this.routes.delete(sink);
  }
}

export class Dispatcher extends RoutingHub {
  constructor(ctx: EngineContext, pipeline: MediaObject) {
    super(ctx, 'Dispatcher', pipeline);
    this.handle('connect', (p) => this.route(this.ownPort(p.sink), this.ownPort(p.source)));
  }
}

export class DispatcherOneToMany extends RoutingHub {
  private source: HubPort | undefined;

  constructor(ctx: EngineContext, pipeline: MediaObject) {
    super(ctx, 'DispatcherOneToMany', pipeline);
    this.handle('setSource', (p) => this.setSource(this.ownPort(p.source)));
    this.handle('removeSource', () => this.setSource(undefined));
  }

  private setSource(source: HubPort | undefined): void {
    this.source = source;
    for (const port of this.ports) this.route(port, source);
  }

  protected override onPortAdded(port: HubPort): void {
    if (this.source) this.route(port, this.source);
  }

  protected override onPortRemoved(port: HubPort): void {
    if (port === this.source) this.source = undefined;
    super.onPortRemoved(port);
  }
}
