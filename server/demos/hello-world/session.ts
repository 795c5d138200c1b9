// One hello-world (WebRTC loopback) session: a pipeline with one WebRtcEndpoint connected
// to itself, so the browser's camera comes back to it through the media server. The session
// owns the pipeline and releases it on stop, on a closed socket, and on any failure along
// the way, including a stop that arrives while the offer is still being processed.

import type { Logger } from '../../logging';
import { AppError } from '../../errors';
import type { IceCandidate, WebRtcEndpoint } from '../../kurento/client';
import { NoMediaServerError, type MediaServerPool, type Placement } from '../../kurento/pool';
import type { HelloWorldServerMessage } from '../../signaling/protocol/hello-world';
import type { DemoSession } from '../session-registry';

export class HelloWorldSession implements DemoSession {
  readonly demo = 'helloworld';
  private readonly pool: MediaServerPool;
  private readonly send: (message: HelloWorldServerMessage) => void;
  private readonly log: Logger;
  private placement: Placement | undefined;
  private endpoint: WebRtcEndpoint | undefined;
  private readonly pendingCandidates: IceCandidate[] = [];
  private closed = false;
  private readonly onObjectsLost = (): void => {
    this.send(new AppError('MEDIA_SERVER_LOST').toMessage());
    void this.close('media server lost');
  };

  constructor(pool: MediaServerPool, send: (message: HelloWorldServerMessage) => void, log: Logger) {
    this.pool = pool;
    this.send = send;
    this.log = log;
  }

  async start(sdpOffer: string): Promise<void> {
    let placement: Placement;
    try {
      placement = await this.pool.place();
    } catch (err) {
      if (err instanceof NoMediaServerError) throw new AppError('MEDIA_SERVER_UNAVAILABLE');
      throw new AppError('MEDIA_SERVER_ERROR', (err as Error).message);
    }
    this.placement = placement;
    placement.server.on('objectsLost', this.onObjectsLost);
    if (this.closed) return this.releaseMedia();

    const endpoint = await placement.pipeline.createWebRtcEndpoint().catch((err: Error) => {
      throw new AppError('MEDIA_SERVER_ERROR', err.message);
    });
    if (this.closed) return this.releaseMedia();
    this.endpoint = endpoint;
    endpoint.onIceCandidate((candidate) => this.send({ id: 'iceCandidate', candidate }));
    for (const c of this.pendingCandidates.splice(0)) await this.addCandidate(c);
    await endpoint.connect(endpoint);

    let sdpAnswer: string;
    try {
      sdpAnswer = await endpoint.processOffer(sdpOffer);
    } catch (err) {
      throw new AppError('BAD_SDP', (err as Error).message);
    }
    if (this.closed) return this.releaseMedia();
    this.log.info({ kms: placement.server.url }, 'hello-world started');
    this.send({ id: 'startResponse', sdpAnswer });
    await endpoint.gatherCandidates();
  }

  async addCandidate(candidate: IceCandidate): Promise<void> {
    if (!this.endpoint) {
      this.pendingCandidates.push(candidate);
      return;
    }
    try {
      await this.endpoint.addIceCandidate(candidate);
    } catch (err) {
      throw new AppError('BAD_CANDIDATE', (err as Error).message);
    }
  }

  /** Ends the session and releases its pipeline. Safe to call twice. */
  async close(reason: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.info({ reason }, 'hello-world ended');
    await this.releaseMedia();
  }

  private async releaseMedia(): Promise<void> {
    const placement = this.placement;
    this.placement = undefined;
    this.endpoint = undefined;
    if (!placement) return;
    placement.server.off('objectsLost', this.onObjectsLost);
    await placement.pipeline.release();
    placement.done();
  }
}
