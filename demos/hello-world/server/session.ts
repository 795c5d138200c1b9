// One hello-world (WebRTC loopback) session: a pipeline with one WebRtcEndpoint connected
// to itself, so the browser's camera comes back to it through the media server. The session
// owns the pipeline and releases it on stop, on a closed socket, and on any failure along
// the way, including a stop that arrives while the offer is still being processed.

import type { Logger } from '../../../server/logging';
import { AppError } from '../../../server/errors';
import type { IceCandidate } from '../../../server/kurento/client';
import type { MediaServerPool } from '../../../server/kurento/pool';
import type { HelloWorldServerMessage } from '../messages';
import type { PipelineFeed } from '../../../server/signaling/pipeline-feed';
import { answerOffer, CandidateQueue, OwnedPipeline } from '../../../server/sessions/media-placement';
import { removeVisitor, visitorLive, type DemoSession, type LiveState } from '../../../server/sessions/session-registry';

export class HelloWorldSession implements DemoSession {
  readonly demo = 'helloworld';
  private pipeline: OwnedPipeline | undefined;
  private readonly candidates = new CandidateQueue();
  private closed = false;

  constructor(
    private readonly pool: MediaServerPool,
    private readonly send: (message: HelloWorldServerMessage) => void,
    private readonly log: Logger,
    private readonly pipelines: PipelineFeed,
  ) {}

  async start(sdpOffer: string): Promise<void> {
    const pipeline = await OwnedPipeline.create(this.pool, 'helloworld', () => {
      this.send(new AppError('MEDIA_SERVER_LOST').toMessage());
      void this.close('media server lost');
    });
    this.pipeline = pipeline;
    if (this.closed) return pipeline.release();
    pipeline.showTo(this.pipelines);

    const endpoint = await pipeline.createWebRtcEndpoint();
    if (this.closed) return pipeline.release();
    endpoint.onIceCandidate((candidate) => this.send({ id: 'iceCandidate', candidate }));
    endpoint.onPeerLost(() => {
      this.send(new AppError('MEDIA_CONNECTION_LOST').toMessage());
      void this.close('media connection lost');
    });
    await this.candidates.attach(endpoint);
    await endpoint.connect(endpoint);
    const sdpAnswer = await answerOffer(endpoint, sdpOffer);
    if (this.closed) return pipeline.release();
    this.log.info({ kms: pipeline.serverUrl }, 'hello-world started');
    this.send({ id: 'startResponse', sdpAnswer });
    await endpoint.gatherCandidates();
  }

  addCandidate(candidate: IceCandidate): Promise<void> {
    return this.candidates.add(candidate);
  }

  live(): LiveState | undefined {
    return this.closed ? undefined : visitorLive(this.pipeline);
  }

  async endByOperator(): Promise<void> {
    this.send(new AppError('ENDED_BY_OPERATOR').toMessage());
    await this.close('ended by the operator');
  }

  removeParticipant(name: string): Promise<boolean> {
    return removeVisitor(this, name);
  }

  /** Ends the session and releases its pipeline. Safe to call twice. */
  async close(reason: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.info({ reason }, 'hello-world ended');
    this.candidates.clear();
    await this.pipeline?.release();
  }
}
