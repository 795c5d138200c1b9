// A media element: something with source pads (outputs) and sink pads (inputs) that can be
// connected to other elements. Connections are per media type; a sink pad takes one source at
// a time, so connecting a new source replaces the old one, as in KMS. The element owns its
// outputs and its subscriptions to other elements' outputs, and drops both on release.
// DATA (data-channel messages) is connected like audio and video; only elements that have a
// data channel produce or consume it, as in KMS, where other elements' data pads carry nothing.

import type { RtpPacket } from 'werift';
import { DataFanout, type DataMessage } from '../media/data-fanout';
import { KmsError } from '../protocol/errors';
import { RtpFanout, type CodecInfo, type MediaKind } from '../rtp/fanout';
import { MediaObject, type EngineContext } from './media-object';

export type MediaType = 'AUDIO' | 'VIDEO' | 'DATA';
const MEDIA_TYPES: MediaType[] = ['AUDIO', 'VIDEO', 'DATA'];

export const kindOf = (t: MediaType): MediaKind | undefined => (t === 'AUDIO' ? 'audio' : t === 'VIDEO' ? 'video' : undefined);
export const mediaTypeOf = (k: MediaKind): MediaType => (k === 'audio' ? 'AUDIO' : 'VIDEO');

interface DataInput {
  source: MediaElement;
  detach: () => void;
}

interface Input {
  source: MediaElement;
  /** The source's fanout this input listens to: its own, or its format stage's. */
  fanout: RtpFanout;
  detach: () => void;
}

/** MediaElement.setVideoFormat's caps, as the engine takes them. */
export interface VideoFormat {
  codec: 'VP8' | 'H264' | 'RAW';
  framerate: { numerator: number; denominator: number };
}

/** What setVideoFormat puts after an element's video: a transcoder whose output sinks see. */
export interface FormatStage {
  readonly videoOut: RtpFanout;
  release(): Promise<void>;
}

export type FormatStageFactory = (owner: MediaElement, format: VideoFormat) => FormatStage;

const FORMAT_CODECS = ['VP8', 'H264', 'RAW'];

/**
 * What hears an element's output without being a sink of it: a pipe to another media worker.
 * It gets what sinks get (packets, data, the end of a stream) and answers as a sink would
 * (how much its far side can take), but no connection event or connection list names it.
 */
export interface OutputTap {
  packet(kind: MediaKind, packet: RtpPacket, codec: CodecInfo | undefined): void;
  data(message: DataMessage): void;
  end(kind: MediaKind): void;
  /** What the far side can take of `kind`, in bps (0: no opinion). */
  estimate(kind: MediaKind): number;
  /** The element is going away: the tap is dropped after this. */
  close(): void;
}

/** A tap's hold on an element: ask for a keyframe, or let go. */
export interface TapHandle {
  requestKeyframe(kind: MediaKind): void;
  remove(): void;
}

const FLOW_CHECK_MS = 1000;
/** No packet for this long means media stopped flowing. */
const FLOW_TIMEOUT_MS = 2000;

export abstract class MediaElement extends MediaObject {
  private readonly pipeline: MediaObject;
  protected readonly outputs = new Map<MediaKind, RtpFanout>();
  private readonly inputs = new Map<MediaKind, Input>();
  /** The data messages this element produces (a WebRtcEndpoint's data channel). */
  protected readonly dataOut = new DataFanout();
  private dataInput: DataInput | undefined;
  private readonly sinks = new Map<MediaElement, Set<MediaType>>();
  private readonly flowingIn = new Map<MediaKind, boolean>();
  private readonly flowingOut = new Map<MediaKind, boolean>();
  private readonly inputSeen = new Map<MediaKind, number>();
  private readonly flowTimer: NodeJS.Timeout;
  private formatStage: FormatStage | undefined;
  /** Taps and how to undo their subscriptions. */
  private readonly taps = new Map<OutputTap, (() => void)[]>();
  /** Builds format stages; set by the factory, which knows the filter classes (no import cycle). */
  static formatStages: FormatStageFactory | undefined;

  /** `parent` is the pipeline, except for a HubPort, whose parent is its hub (as in KMS). */
  protected constructor(
    ctx: EngineContext,
    type: string,
    pipeline: MediaObject,
    parent: MediaObject = pipeline,
    fixedId?: string,
  ) {
    super(ctx, type, parent, fixedId);
    this.pipeline = pipeline;
    this.flowTimer = setInterval(() => this.checkFlow(), FLOW_CHECK_MS);
    this.flowTimer.unref();
    this.registerElementOperations();
  }

  get mediaPipeline(): MediaObject {
    return this.pipeline;
  }

  /** The output of one kind, created on first use. */
  protected output(kind: MediaKind): RtpFanout {
    let out = this.outputs.get(kind);
    if (!out) {
      out = new RtpFanout(kind, () => this.onKeyframeRequested(kind));
      this.outputs.set(kind, out);
    }
    return out;
  }

  /** Called when a downstream sink needs a keyframe; sources pass it to their producer. */
  protected onKeyframeRequested(_kind: MediaKind): void {}

  /** Called for every packet arriving on an input; sinks send or process it. */
  protected abstract onInputPacket(kind: MediaKind, packet: RtpPacket, source: RtpFanout): void;

  /** Raises KMS's Error event: the element keeps living, the application decides what to do. */
  protected raiseError(type: string, description: string, errorCode = 40000): void {
    this.log.warn({ type }, description);
    this.raise('Error', { description, errorCode, type });
  }

  /** Called for every data message from the source connected to DATA; data-channel owners send it. */
  protected onInputData(_message: DataMessage): void {}

  /** Called when the source connected to `kind` has no more media. */
  protected onInputEnded(_kind: MediaKind): void {}

  /**
   * How much this element, as a sink of `kind`, may send on, in bps (0: no opinion). Its
   * source folds every sink's figure into what it asks of its own producer.
   */
  protected sendEstimate(_kind: MediaKind): number {
    return 0;
  }

  /** What the sinks of this element's own `kind` output can take: the least of their estimates. */
  protected sinksEstimate(kind: MediaKind): number {
    return this.outputs.get(kind)?.sinkEstimate() ?? 0;
  }

  /** A sink asks its current source of `kind` for a keyframe. */
  protected requestKeyframeUpstream(kind: MediaKind): void {
    this.inputs.get(kind)?.fanout.requestKeyframe();
  }

  /** What sinks of `kind` listen to: the element's own output, or its format stage's. */
  private published(kind: MediaKind): RtpFanout {
    return kind === 'video' && this.formatStage ? this.formatStage.videoOut : this.output(kind);
  }

  /** Makes this element (a format stage) take `source`'s own video, before any stage. */
  feedFrom(source: MediaElement): void {
    this.attachInput('video', source, source.output('video'));
  }

  private subscribeTo(kind: MediaKind, source: MediaElement, fanout: RtpFanout): Input {
    const detach = fanout.subscribe(
      (packet) => {
        this.inputSeen.set(kind, Date.now());
        this.onInputPacket(kind, packet, fanout);
      },
      () => this.onInputEnded(kind),
    );
    return { source, fanout, detach };
  }

  private attachInput(kind: MediaKind, source: MediaElement, fanout = source.published(kind)): void {
    this.detachInput(kind);
    this.inputs.set(kind, this.subscribeTo(kind, source, fanout));
    fanout.addEstimator(this, () => this.sendEstimate(kind));
    // KMS reports whether a connection needs transcoding; pass-through never does.
    this.raise('MediaTranscodingStateChanged', { state: 'NOT_TRANSCODING', binName: this.id, mediaType: mediaTypeOf(kind) });
    // A new sink cannot decode until the next keyframe: ask for one now.
    fanout.requestKeyframe();
  }

  /** Lets `tap` hear what this element publishes (see OutputTap); it follows a format change. */
  addTap(tap: OutputTap): TapHandle {
    this.taps.set(tap, this.tapSubscriptions(tap));
    return {
      requestKeyframe: (kind) => this.published(kind).requestKeyframe(),
      remove: () => {
        for (const undo of this.taps.get(tap) ?? []) undo();
        this.taps.delete(tap);
      },
    };
  }

  private tapSubscriptions(tap: OutputTap): (() => void)[] {
    const undo = (['audio', 'video'] as MediaKind[]).map((kind) => {
      const fanout = this.published(kind);
      const off = fanout.subscribe(
        (packet) => tap.packet(kind, packet, fanout.codec),
        () => tap.end(kind),
      );
      fanout.addEstimator(tap, () => tap.estimate(kind));
      return () => {
        off();
        fanout.removeEstimator(tap);
      };
    });
    undo.push(this.dataOut.subscribe((message) => tap.data(message)));
    return undo;
  }

  private attachData(source: MediaElement): void {
    this.detachData();
    this.dataInput = { source, detach: source.dataOut.subscribe((message) => this.onInputData(message)) };
  }

  private detachInput(kind: MediaKind): void {
    const input = this.inputs.get(kind);
    if (!input) return;
    input.detach();
    input.fanout.removeEstimator(this);
    this.inputs.delete(kind);
    this.forgetSource(input.source, mediaTypeOf(kind));
  }

  private detachData(): void {
    const input = this.dataInput;
    if (!input) return;
    input.detach();
    this.dataInput = undefined;
    this.forgetSource(input.source, 'DATA');
  }

  /** The source no longer feeds this element's `type`: its sink list and its event say so. */
  private forgetSource(source: MediaElement, type: MediaType): void {
    const types = source.sinks.get(this);
    types?.delete(type);
    if (types?.size === 0) source.sinks.delete(this);
    source.raise('ElementDisconnected', this.connectionEvent(source, type));
  }

  private connectionEvent(source: MediaElement, mediaType: MediaType): Record<string, unknown> {
    return {
      source: source.id,
      sink: this.id,
      mediaType,
      sourceMediaDescription: 'default',
      sinkMediaDescription: 'default',
    };
  }

  connectTo(sink: MediaElement, mediaType?: MediaType): void {
    if (sink.mediaPipeline !== this.mediaPipeline) {
      throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'Cannot connect elements of different pipelines');
    }
    for (const type of mediaType ? [mediaType] : MEDIA_TYPES) {
      const kind = kindOf(type);
      if (kind) sink.attachInput(kind, this);
      else sink.attachData(this);
      let types = this.sinks.get(sink);
      if (!types) this.sinks.set(sink, (types = new Set()));
      types.add(type);
      this.raise('ElementConnected', sink.connectionEvent(this, type));
    }
  }

  disconnectFrom(sink: MediaElement, mediaType?: MediaType): void {
    for (const type of mediaType ? [mediaType] : MEDIA_TYPES) {
      const kind = kindOf(type);
      if (kind && sink.inputs.get(kind)?.source === this) sink.detachInput(kind);
      if (!kind && sink.dataInput?.source === this) sink.detachData();
    }
  }

  private connectionData(source: MediaElement, sink: MediaElement, type: MediaType): Record<string, unknown> {
    return {
      source: source.id,
      sink: sink.id,
      type,
      sourceDescription: 'default',
      sinkDescription: 'default',
      __module__: 'kurento',
      __type__: 'ElementConnectionData',
    };
  }

  private checkFlow(): void {
    const now = Date.now();
    for (const kind of ['audio', 'video'] as MediaKind[]) {
      const inNow = now - (this.inputSeen.get(kind) ?? 0) < FLOW_TIMEOUT_MS;
      if (inNow !== (this.flowingIn.get(kind) ?? false)) {
        this.flowingIn.set(kind, inNow);
        this.raise('MediaFlowInStateChanged', {
          state: inNow ? 'FLOWING' : 'NOT_FLOWING',
          padName: 'default',
          mediaType: mediaTypeOf(kind),
        });
      }
      const out = this.outputs.get(kind);
      const outNow = out !== undefined && now - out.lastPacketAt < FLOW_TIMEOUT_MS;
      if (outNow !== (this.flowingOut.get(kind) ?? false)) {
        this.flowingOut.set(kind, outNow);
        this.raise('MediaFlowOutStateChanged', {
          state: outNow ? 'FLOWING' : 'NOT_FLOWING',
          padName: 'default',
          mediaType: mediaTypeOf(kind),
        });
      }
    }
  }

  protected override async dispose(): Promise<void> {
    clearInterval(this.flowTimer);
    await this.formatStage?.release();
    this.formatStage = undefined;
    // Sinks hear that this source ends before they are disconnected from it.
    for (const out of this.outputs.values()) out.end();
    for (const kind of [...this.inputs.keys()]) this.detachInput(kind);
    this.detachData();
    for (const sink of [...this.sinks.keys()]) this.disconnectFrom(sink);
    for (const [tap, undo] of [...this.taps]) {
      for (const off of undo) off();
      this.taps.delete(tap);
      tap.close();
    }
    for (const out of this.outputs.values()) out.close();
    this.dataOut.close();
    this.outputs.clear();
  }

  private registerElementOperations(): void {
    this.handle('connect', (p) => {
      const sink = this.resolve<MediaElement>(p.sink, 'MediaElement');
      this.connectTo(sink, p.mediaType as MediaType | undefined);
    });
    this.handle('disconnect', (p) => {
      const sink = this.resolve<MediaElement>(p.sink, 'MediaElement');
      this.disconnectFrom(sink, p.mediaType as MediaType | undefined);
    });
    this.handle('getSourceConnections', (p) => {
      const sources: [MediaType, MediaElement][] = [...this.inputs].map(([kind, input]) => [mediaTypeOf(kind), input.source]);
      if (this.dataInput) sources.push(['DATA', this.dataInput.source]);
      return sources
        .filter(([type]) => !p.mediaType || type === p.mediaType)
        .map(([type, source]) => this.connectionData(source, this, type));
    });
    this.handle('getSinkConnections', (p) =>
      [...this.sinks].flatMap(([sink, types]) =>
        [...types].filter((t) => !p.mediaType || t === p.mediaType).map((t) => this.connectionData(this, sink, t)),
      ),
    );
    this.handle('isMediaFlowingIn', (p) => {
      const kind = kindOf(p.mediaType as MediaType);
      return kind ? (this.flowingIn.get(kind) ?? false) : false;
    });
    this.handle('isMediaFlowingOut', (p) => {
      const kind = kindOf(p.mediaType as MediaType);
      return kind ? (this.flowingOut.get(kind) ?? false) : false;
    });
    this.handle('isMediaTranscoding', (p) => {
      const kind = kindOf(p.mediaType as MediaType);
      return kind ? this.transcoding(kind) || this.formatted(kind) : false;
    });
    this.handle('setVideoFormat', (p) => this.setVideoFormat(p.caps));
    // Elements without a transport report only their own entry; endpoints add RTP stats.
    this.handle('getStats', () => {
      const now = Date.now();
      const id = `${this.id}-element`;
      return {
        [id]: { __module__: 'kurento', __type__: 'ElementStats', id, type: 'element', timestampMillis: now, inputLatency: [] },
      };
    });
  }

  /** Whether this element decodes and re-encodes `kind` right now (forwarding elements never do). */
  protected transcoding(_kind: MediaKind): boolean {
    return false;
  }

  /**
   * setVideoFormat: from now on this element's video leaves transcoded to `caps` (VP8 or
   * H.264, at that frame rate; RAW means decoded and re-encoded at that rate, in VP8, since
   * what passes between elements here is always RTP). Sinks already connected move to the
   * new output at once; a keyframe starts it.
   */
  private setVideoFormat(caps: unknown): void {
    const c = (caps ?? {}) as { codec?: unknown; framerate?: { numerator?: unknown; denominator?: unknown } };
    const codec = String(c.codec);
    const numerator = Number(c.framerate?.numerator);
    const denominator = Number(c.framerate?.denominator);
    if (!FORMAT_CODECS.includes(codec)) {
      throw new KmsError(
        'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR',
        `The embedded media server transcodes video to ${FORMAT_CODECS.join(', ')} only, not ${codec}`,
      );
    }
    if (!Number.isInteger(numerator) || !Number.isInteger(denominator) || numerator <= 0 || denominator <= 0) {
      throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'The frame rate must be a positive fraction, such as 30/1');
    }
    const build = MediaElement.formatStages;
    if (!build) throw new KmsError('NOT_IMPLEMENTED', 'setVideoFormat is not available here');
    const previous = this.formatStage;
    this.formatStage = build(this, { codec: codec as VideoFormat['codec'], framerate: { numerator, denominator } });
    this.republish('video');
    void previous?.release();
  }

  /** Moves this element's sinks of `kind` to what it publishes now, without connection events. */
  private republish(kind: MediaKind): void {
    const fanout = this.published(kind);
    for (const sink of this.sinks.keys()) {
      const input = sink.inputs.get(kind);
      if (input?.source !== this || input.fanout === fanout) continue;
      input.detach();
      sink.inputs.set(kind, sink.subscribeTo(kind, this, fanout));
      fanout.requestKeyframe();
    }
    for (const [tap, undo] of this.taps) {
      for (const off of undo) off();
      this.taps.set(tap, this.tapSubscriptions(tap));
    }
    if (this.taps.size > 0) fanout.requestKeyframe();
  }

  /** Whether this element's own output of `kind` is transcoded on its way out. */
  protected formatted(kind: MediaKind): boolean {
    return kind === 'video' && this.formatStage !== undefined;
  }
}
