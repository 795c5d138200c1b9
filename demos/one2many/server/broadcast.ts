// One broadcast (a room): the presenter's WebRtcEndpoint feeds one endpoint per viewer, all
// in one pipeline that the broadcast owns. A viewer leaving releases only its endpoint; the
// presenter leaving ends the broadcast, tells every viewer, and releases the pipeline.

import { AppError } from '../../../server/errors';
import type { Logger } from '../../../server/logging';
import type { WebRtcEndpoint } from '../../../server/kurento/client';
import type { MediaServerPool } from '../../../server/kurento/pool';
import type { One2ManyServerMessage } from '../messages';
import type { MediaState } from '../../../server/signaling/messages';
import type { PipelineFeed } from '../../../server/signaling/pipeline-feed';
import type { EndReason } from '../../../server/store/store';
import type { History } from '../../../server/sessions/history';
import { answerOffer, type CandidateQueue, OwnedPipeline } from '../../../server/sessions/media-placement';
import type { DemoSession, LiveState } from '../../../server/sessions/session-registry';

export interface Member {
  readonly candidates: CandidateQueue;
  /** The member's page, which may watch the broadcast's pipeline. */
  readonly pipelines: PipelineFeed;
  /**
   * Asked for viewerCount: our page does, the tutorial's does not know the message. Such a
   * page is also told the presenter's mediaState (presenterMediaState).
   */
  countsViewers: boolean;
  send(message: One2ManyServerMessage): void;
}

export class Broadcast implements DemoSession {
  readonly demo = 'one2many';
  private pipeline: OwnedPipeline | undefined;
  private source: WebRtcEndpoint | undefined;
  private readonly viewers = new Map<Member, WebRtcEndpoint | undefined>();
  private ended = false;
  private recordId: string | undefined;
  private stopRecorder: () => void = () => undefined;
  /** Viewers have no names: the history and the operator know them as viewer-1, viewer-2… in arrival order. */
  private viewersSeen = 0;
  private readonly viewerNames = new Map<Member, string>();
  /** The presenter's microphone and camera, as their page last said (mediaState). */
  private media: MediaState = { audio: true, video: true };

  constructor(
    readonly room: string,
    readonly presenter: Member,
    private readonly onEnded: (b: Broadcast) => void,
    private readonly history: History,
    private readonly statsSeconds: number,
    private readonly log: Logger,
  ) {}

  async start(pool: MediaServerPool, sdpOffer: string): Promise<void> {
    this.recordId = await this.history.callStarted('one2many', ['presenter'], this.room);
    const pipeline = await OwnedPipeline.create(pool, `one2many room ${this.room}`, () => {
      this.presenter.send(new AppError('MEDIA_SERVER_LOST').toMessage());
      void this.end('media-server-lost');
    });
    this.pipeline = pipeline;
    if (this.ended) return pipeline.release();
    pipeline.showTo(this.presenter.pipelines);
    const source = await pipeline.createWebRtcEndpoint();
    if (this.ended) return pipeline.release();
    source.onIceCandidate((candidate) => this.presenter.send({ id: 'iceCandidate', candidate }));
    // The presenter's media gone for good ends the broadcast, as if they had left.
    source.onPeerLost(() => {
      this.presenter.send(new AppError('MEDIA_CONNECTION_LOST').toMessage());
      void this.end('disconnected');
    });
    await this.presenter.candidates.attach(source);
    const sdpAnswer = await answerOffer(source, sdpOffer);
    if (this.ended) return;
    this.source = source;
    this.presenter.send({ id: 'presenterResponse', response: 'accepted', sdpAnswer });
    await source.gatherCandidates();
    if (this.ended) return; // ended during set-up: its recorder would never be stopped
    this.stopRecorder = this.history.recordStats(this.recordId, 'presenter', source, this.statsSeconds);
    this.log.info({ room: this.room, kms: pipeline.serverUrl }, 'broadcast started');
  }

  async addViewer(viewer: Member, sdpOffer: string): Promise<void> {
    if (!this.pipeline || !this.source)
      throw new AppError('NOT_STARTED', 'The presenter is still connecting; try again in a moment');
    this.viewers.set(viewer, undefined);
    this.announceCount();
    const name = `viewer-${++this.viewersSeen}`;
    this.viewerNames.set(viewer, name);
    void this.history.participantAdded(this.recordId, name);
    this.pipeline.showTo(viewer.pipelines);
    const endpoint = await this.pipeline.createWebRtcEndpoint();
    if (this.ended || !this.viewers.has(viewer)) return endpoint.release();
    this.viewers.set(viewer, endpoint);
    endpoint.onIceCandidate((candidate) => viewer.send({ id: 'iceCandidate', candidate }));
    endpoint.onPeerLost(() => {
      viewer.send(new AppError('MEDIA_CONNECTION_LOST').toMessage());
      void this.removeViewer(viewer);
    });
    await viewer.candidates.attach(endpoint);
    await this.source.connect(endpoint);
    const sdpAnswer = await answerOffer(endpoint, sdpOffer);
    if (this.ended || !this.viewers.has(viewer)) return;
    viewer.send({ id: 'viewerResponse', response: 'accepted', sdpAnswer });
    // A viewer who comes while the presenter is muted learns it at once.
    if (viewer.countsViewers && (!this.media.audio || !this.media.video))
      viewer.send({ id: 'presenterMediaState', media: this.media });
    await endpoint.gatherCandidates();
  }

  /** The presenter turned their microphone or camera on or off: the viewers' pages are told. */
  setMedia(media: MediaState): void {
    this.media = media;
    for (const viewer of this.viewers.keys()) if (viewer.countsViewers) viewer.send({ id: 'presenterMediaState', media });
  }

  /** A viewer leaves: only its endpoint goes. */
  async removeViewer(viewer: Member): Promise<void> {
    if (!this.viewers.has(viewer)) return;
    const endpoint = this.viewers.get(viewer);
    this.viewers.delete(viewer);
    this.viewerNames.delete(viewer);
    if (this.pipeline) viewer.pipelines.hide(this.pipeline);
    viewer.candidates.clear();
    this.announceCount();
    await endpoint?.release();
  }

  /** The presenter leaves (or the server stops): everyone is told, the pipeline released. */
  async end(reason: EndReason): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.log.info({ room: this.room, reason, viewers: this.viewers.size }, 'broadcast ended');
    const why = reason === 'ended-by-operator' ? 'an operator ended the broadcast' : 'the presenter left';
    for (const viewer of this.viewers.keys()) {
      viewer.candidates.clear();
      viewer.send({ id: 'stopCommunication', reason: why });
    }
    this.viewers.clear();
    this.viewerNames.clear();
    this.presenter.candidates.clear();
    this.onEnded(this);
    this.stopRecorder();
    await Promise.all([this.history.callEnded(this.recordId, reason), this.pipeline?.release()]);
  }

  live(): LiveState | undefined {
    if (this.ended || !this.pipeline) return undefined;
    return {
      room: this.room,
      participants: ['presenter', ...this.viewerNames.values()],
      mediaServer: this.pipeline.serverUrl,
    };
  }

  async endByOperator(): Promise<void> {
    if (this.ended) return;
    this.presenter.send(new AppError('ENDED_BY_OPERATOR').toMessage());
    await this.end('ended-by-operator');
  }

  /** A viewer removed leaves alone; the presenter removed ends the broadcast for everyone. */
  async removeParticipant(name: string): Promise<boolean> {
    if (this.ended) return false;
    if (name === 'presenter') {
      this.presenter.send(new AppError('REMOVED_BY_OPERATOR').toMessage());
      await this.end('ended-by-operator');
      return true;
    }
    const viewer = [...this.viewerNames].find(([, n]) => n === name)?.[0];
    if (!viewer) return false;
    viewer.send(new AppError('REMOVED_BY_OPERATOR').toMessage());
    await this.removeViewer(viewer);
    return true;
  }

  close(_reason: string): Promise<void> {
    return this.end('disconnected');
  }

  private announceCount(): void {
    const message = { id: 'viewerCount', room: this.room, count: this.viewers.size } as const;
    for (const member of [this.presenter, ...this.viewers.keys()]) if (member.countsViewers) member.send(message);
  }
}
