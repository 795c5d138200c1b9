// One page of a filter demo: the camera goes to a WebRtcEndpoint, through the current filter
// (or none), and back to the same endpoint, as in Kurento's magic-mirror tutorial. Changing
// the filter builds the new one and connects it before the old one is released, so the
// picture never stops. The session owns its pipeline (and with it every filter) and releases
// it on stop, on a new start, on a failure on the way, and when the socket closes.

import type { IceCandidate, MediaElementHandle, WebRtcEndpoint } from '../kurento/client';
import type { MediaServerPool } from '../kurento/pool';
import type { Logger } from '../logging';
import { AppError } from '../errors';
import type { FilterServerMessage } from '../signaling/filter-messages';
import type { PipelineFeed } from '../signaling/pipeline-feed';
import { answerOffer, CandidateQueue, OwnedPipeline } from './media-placement';
import { removeVisitor, visitorLive, type DemoSession, type LiveState } from './session-registry';

/** What a filter demo puts between the endpoint and itself; null passes the video as it is. */
export type FilterFactory<F extends MediaElementHandle> = (pipeline: OwnedPipeline) => Promise<F | null>;

export class FilterLoop<F extends MediaElementHandle> implements DemoSession {
  private pipeline: OwnedPipeline | undefined;
  private endpoint: WebRtcEndpoint | undefined;
  private current: F | null = null;
  private candidates = new CandidateQueue();
  private closed = false;

  constructor(
    readonly demo: string,
    private readonly pool: MediaServerPool,
    private readonly send: (message: FilterServerMessage) => void,
    protected readonly log: Logger,
    private readonly pipelines: PipelineFeed,
  ) {}

  /** The filter in place now (null for none). */
  get filter(): F | null {
    return this.current;
  }

  get started(): boolean {
    return this.endpoint !== undefined;
  }

  async start(sdpOffer: string, first: FilterFactory<F>): Promise<void> {
    await this.stop();
    this.closed = false;
    try {
      await this.build(sdpOffer, first);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private async build(sdpOffer: string, first: FilterFactory<F>): Promise<void> {
    const pipeline = await OwnedPipeline.create(this.pool, this.demo, () => {
      this.send(new AppError('MEDIA_SERVER_LOST').toMessage());
      void this.stop();
    });
    this.pipeline = pipeline;
    pipeline.showTo(this.pipelines);
    const endpoint = await pipeline.createWebRtcEndpoint();
    if (this.pipeline !== pipeline) return pipeline.release();
    endpoint.onIceCandidate((candidate) => this.send({ id: 'iceCandidate', candidate }));
    endpoint.onPeerLost(() => {
      if (this.pipeline !== pipeline) return;
      this.send(new AppError('MEDIA_CONNECTION_LOST').toMessage());
      void this.stop();
    });
    await this.candidates.attach(endpoint);
    this.endpoint = endpoint;
    await this.place(await first(pipeline));
    const sdpAnswer = await answerOffer(endpoint, sdpOffer);
    if (this.pipeline !== pipeline) return;
    this.log.info({ demo: this.demo, kms: pipeline.serverUrl }, 'filter demo started');
    this.send({ id: 'startResponse', sdpAnswer });
    await endpoint.gatherCandidates();
  }

  /** Puts the filter that `make` builds in place of the current one. */
  async replace(make: FilterFactory<F>, choice: string): Promise<void> {
    const pipeline = this.pipeline;
    if (!pipeline || !this.endpoint) throw new AppError('NOT_STARTED');
    const next = await make(pipeline);
    if (this.pipeline !== pipeline) return void (await next?.release());
    await this.place(next);
    this.send({ id: 'applied', choice });
  }

  private async place(next: F | null): Promise<void> {
    const endpoint = this.endpoint!;
    const previous = this.current;
    if (next) {
      next.onError((description) => this.send({ id: 'error', message: `The filter failed: ${description}` }));
      await endpoint.connect(next);
      await next.connect(endpoint);
    } else {
      await endpoint.connect(endpoint);
    }
    this.current = next;
    await previous?.release();
  }

  addCandidate(candidate: IceCandidate): Promise<void> {
    return this.candidates.add(candidate);
  }

  /** Ends the media (the socket stays for another start). Safe to call twice. */
  async stop(): Promise<void> {
    const pipeline = this.pipeline;
    this.pipeline = undefined;
    this.endpoint = undefined;
    this.current = null;
    this.candidates.clear();
    this.candidates = new CandidateQueue();
    await pipeline?.release();
  }

  live(): LiveState | undefined {
    return this.closed ? undefined : visitorLive(this.pipeline);
  }

  async endByOperator(): Promise<void> {
    await this.stop();
    this.send(new AppError('ENDED_BY_OPERATOR').toMessage());
  }

  removeParticipant(name: string): Promise<boolean> {
    return removeVisitor(this, name);
  }

  async close(reason: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.info({ demo: this.demo, reason }, 'filter demo ended');
    await this.stop();
  }
}
