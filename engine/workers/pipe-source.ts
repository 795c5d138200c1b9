// The far end of a pipe: a stand-in, in another media worker, for an element that lives
// elsewhere. It has the element's id and sits in this worker's shard of its pipeline, so the
// sinks placed here connect to it as they would to the element itself, and the connection
// events it raises name the element. It publishes what the pipe brings, and sends back up the
// pipe what its sinks ask: keyframes at once, their bitrate estimate once a second. Every other
// event is the real element's to raise, so a stand-in raises none.

import type { MessagePort } from 'node:worker_threads';
import { RtpPacket } from 'werift';
import { MediaElement } from '../elements/media-element';
import type { EngineContext, MediaObject } from '../elements/media-object';
import type { MediaKind, RtpFanout } from '../rtp/fanout';
import type { PipeDown, PipeUp } from './messages';

const ESTIMATE_EVERY_MS = 1000;
const CONNECTION_EVENTS = new Set(['ElementConnected', 'ElementDisconnected']);

export class PipeSource extends MediaElement {
  private readonly estimateTimer: NodeJS.Timeout;

  constructor(
    ctx: EngineContext,
    shard: MediaObject,
    sourceId: string,
    type: string,
    private readonly port: MessagePort,
  ) {
    super(ctx, type, shard, shard, sourceId);
    port.on('message', (message: PipeDown) => this.onDown(message));
    this.estimateTimer = setInterval(() => this.sendEstimates(), ESTIMATE_EVERY_MS);
    this.estimateTimer.unref();
  }

  override get mirror(): boolean {
    return true;
  }

  override raise(type: string, data?: Record<string, unknown>): void {
    if (CONNECTION_EVENTS.has(type)) super.raise(type, data);
  }

  protected onInputPacket(_kind: MediaKind, _packet: RtpPacket, _source: RtpFanout): void {
    // NOTE: nothing connects into a stand-in: the protocol layer sends such a connect to the
    // real element's worker.
  }

  protected override onKeyframeRequested(kind: MediaKind): void {
    this.post({ t: 'keyframe', kind });
  }

  private onDown(message: PipeDown): void {
    switch (message.t) {
      case 'rtp': {
        const { bytes } = message;
        this.output(message.kind).push(RtpPacket.deSerialize(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
        break;
      }
      case 'codec':
        this.output(message.kind).codec = message.codec;
        break;
      case 'end':
        this.output(message.kind).end();
        break;
      case 'data':
        this.dataOut.push(message.text ?? Buffer.from(message.binary ?? []));
        break;
    }
  }

  private sendEstimates(): void {
    for (const kind of ['audio', 'video'] as MediaKind[]) {
      const bps = this.sinksEstimate(kind);
      if (bps > 0) this.post({ t: 'estimate', kind, bps });
    }
  }

  private post(message: PipeUp): void {
    if (!this.released) this.port.postMessage(message);
  }

  protected override async dispose(): Promise<void> {
    clearInterval(this.estimateTimer);
    this.port.close();
    await super.dispose();
  }
}
