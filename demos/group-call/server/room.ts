// A group-call room (SFU): one pipeline; each participant has one outgoing WebRtcEndpoint
// and one incoming endpoint per other participant, fed by that participant's outgoing one.
// The room owns the pipeline and each participant owns its endpoints: leaving releases
// exactly the leaver's endpoints and the others' incoming endpoints for the leaver, and the
// last one out releases the pipeline.

import { AppError } from '../../../server/errors';
import type { Logger } from '../../../server/logging';
import type { IceCandidate, WebRtcEndpoint } from '../../../server/kurento/client';
import type { MediaServerPool } from '../../../server/kurento/pool';
import type { GroupCallServerMessage } from '../messages';
import type { MediaState } from '../../../server/signaling/messages';
import type { PipelineFeed } from '../../../server/signaling/pipeline-feed';
import type { History } from '../../../server/sessions/history';
import { answerOffer, CandidateQueue, OwnedPipeline } from '../../../server/sessions/media-placement';
import type { EndReason } from '../../../server/store/store';
import type { DemoSession, LiveState } from '../../../server/sessions/session-registry';

export class Participant {
  outgoing: WebRtcEndpoint | undefined;
  /** Microphone and camera, as the participant last said (mediaState). */
  media: MediaState = { audio: true, video: true };
  readonly incoming = new Map<string, WebRtcEndpoint>();
  /** Candidates by the name of the stream they belong to (own name: the outgoing one). */
  private readonly queues = new Map<string, CandidateQueue>();

  constructor(
    readonly name: string,
    readonly send: (message: GroupCallServerMessage) => void,
    /** The participant's page, which may watch the room's pipeline. */
    readonly pipelines: PipelineFeed,
  ) {}

  queue(name: string): CandidateQueue {
    let q = this.queues.get(name);
    if (!q) this.queues.set(name, (q = new CandidateQueue()));
    return q;
  }

  addCandidate(name: string, candidate: IceCandidate): Promise<void> {
    return this.queue(name).add(candidate);
  }

  /** Releases the incoming endpoint for `sender`, if any. */
  async dropIncoming(sender: string): Promise<void> {
    const endpoint = this.incoming.get(sender);
    this.incoming.delete(sender);
    this.queues.get(sender)?.clear();
    this.queues.delete(sender);
    await endpoint?.release();
  }

  async releaseAll(): Promise<void> {
    const endpoints = [this.outgoing, ...this.incoming.values()];
    this.outgoing = undefined;
    this.incoming.clear();
    for (const q of this.queues.values()) q.clear();
    this.queues.clear();
    await Promise.all(endpoints.map((e) => e?.release()));
  }
}

/** How a room's closing is recorded in the history; any other reason is 'disconnected'. */
const END_REASONS: Record<string, EndReason> = {
  empty: 'hang-up',
  'media server lost': 'media-server-lost',
  'ended by the operator': 'ended-by-operator',
};

export class GroupRoom implements DemoSession {
  readonly demo = 'groupcall';
  readonly participants = new Map<string, Participant>();
  private readonly pipeline: Promise<OwnedPipeline>;
  private closed = false;
  /** The room's session in the call history: its participants and stats snapshots. */
  private readonly recordId: Promise<string | undefined>;
  private readonly stopRecorders = new Map<string, () => void>();
  /** The media server the room's pipeline was placed on, once it was. */
  private placedOn: string | undefined;

  constructor(
    readonly name: string,
    pool: MediaServerPool,
    private readonly onEmpty: (room: GroupRoom) => void,
    private readonly history: History,
    private readonly statsSeconds: number,
    private readonly log: Logger,
  ) {
    // Created once, at construction: joins that race for a new room all wait on this.
    this.pipeline = OwnedPipeline.create(pool, `groupcall room ${name}`, () => {
      for (const p of this.participants.values()) p.send(new AppError('MEDIA_SERVER_LOST').toMessage());
      void this.close('media server lost');
    });
    this.pipeline.then((p) => (this.placedOn = p.serverUrl)).catch(() => undefined);
    this.recordId = history.callStarted('groupcall', [], name);
  }

  async join(participant: Participant): Promise<void> {
    if (this.participants.has(participant.name)) {
      throw new AppError('BAD_MESSAGE', `The name ${participant.name} is already taken in room ${this.name}`);
    }
    const others = [...this.participants.values()];
    this.participants.set(participant.name, participant);
    try {
      const pipeline = await this.pipeline;
      pipeline.showTo(participant.pipelines);
      const outgoing = await pipeline.createWebRtcEndpoint();
      if (this.participants.get(participant.name) !== participant) return void outgoing.release();
      participant.outgoing = outgoing;
      outgoing.onIceCandidate((candidate) => participant.send({ id: 'iceCandidate', name: participant.name, candidate }));
      // A participant whose own stream is gone for good leaves, freeing the seat.
      outgoing.onPeerLost(() => {
        participant.send(new AppError('MEDIA_CONNECTION_LOST').toMessage());
        void this.leave(participant);
      });
    } catch (err) {
      await this.leave(participant);
      throw err;
    }
    void this.history.joined(this.name, 'groupcall', participant.name);
    void this.recordId.then((id) => this.history.participantAdded(id, participant.name));
    for (const other of others) other.send({ id: 'newParticipantArrived', name: participant.name });
    participant.send({ id: 'existingParticipants', data: others.map((o) => o.name) });
    // The tutorial's list carries names only: a muted camera or microphone is told apart.
    for (const o of others) {
      if (!o.media.audio || !o.media.video) participant.send({ id: 'participantMediaState', name: o.name, media: o.media });
    }
    this.log.info({ room: this.name, name: participant.name, count: this.participants.size }, 'participant joined');
  }

  /** `receiver` publishes (sender is themselves) or subscribes to `senderName`. */
  async receiveVideoFrom(receiver: Participant, senderName: string, sdpOffer: string): Promise<void> {
    const sender = this.participants.get(senderName);
    if (!sender?.outgoing || !receiver.outgoing) {
      throw new AppError('BAD_MESSAGE', `${senderName} is not in room ${this.name}`);
    }
    let endpoint: WebRtcEndpoint;
    if (sender === receiver) {
      endpoint = receiver.outgoing;
    } else {
      await receiver.dropIncoming(senderName);
      endpoint = await (await this.pipeline).createWebRtcEndpoint();
      if (!this.participants.has(senderName) || this.participants.get(receiver.name) !== receiver) return void endpoint.release();
      receiver.incoming.set(senderName, endpoint);
      endpoint.onIceCandidate((candidate) => receiver.send({ id: 'iceCandidate', name: senderName, candidate }));
      await sender.outgoing.connect(endpoint);
    }
    await receiver.queue(senderName).attach(endpoint);
    const sdpAnswer = await answerOffer(endpoint, sdpOffer);
    receiver.send({ id: 'receiveVideoAnswer', name: senderName, sdpAnswer });
    await endpoint.gatherCandidates();
    if (sender === receiver && !this.stopRecorders.has(receiver.name)) {
      const id = await this.recordId;
      // The participant may have left while the id was on its way: then there is nothing to record.
      if (this.participants.get(receiver.name) === receiver && !this.stopRecorders.has(receiver.name)) {
        this.stopRecorders.set(receiver.name, this.history.recordStats(id, receiver.name, endpoint, this.statsSeconds));
      }
    }
  }

  /** A participant turned their microphone or camera on or off: the others hear it. */
  setMedia(participant: Participant, media: MediaState): void {
    participant.media = media;
    for (const o of this.participants.values()) {
      if (o !== participant) o.send({ id: 'participantMediaState', name: participant.name, media });
    }
  }

  async leave(participant: Participant): Promise<void> {
    if (this.participants.get(participant.name) !== participant) return;
    this.participants.delete(participant.name);
    void this.history.left(this.name, participant.name);
    if (!this.closed) void this.recordId.then((id) => this.history.participantLeft(id, participant.name));
    this.stopRecorders.get(participant.name)?.();
    this.stopRecorders.delete(participant.name);
    const others = [...this.participants.values()];
    void this.pipeline.then((p) => participant.pipelines.hide(p)).catch(() => undefined);
    await Promise.all([participant.releaseAll(), ...others.map((o) => o.dropIncoming(participant.name))]);
    for (const o of others) o.send({ id: 'participantLeft', name: participant.name });
    this.log.info({ room: this.name, name: participant.name, count: this.participants.size }, 'participant left');
    if (this.participants.size === 0) await this.close('empty');
  }

  live(): LiveState | undefined {
    if (this.closed || this.participants.size === 0) return undefined;
    return { room: this.name, participants: [...this.participants.keys()], mediaServer: this.placedOn };
  }

  async endByOperator(): Promise<void> {
    for (const p of this.participants.values()) p.send(new AppError('ENDED_BY_OPERATOR').toMessage());
    await this.close('ended by the operator');
  }

  /** The participant is told and leaves; the others see them go, as when anyone leaves. */
  async removeParticipant(name: string): Promise<boolean> {
    const participant = this.participants.get(name);
    if (!participant) return false;
    participant.send(new AppError('REMOVED_BY_OPERATOR').toMessage());
    await this.leave(participant);
    return true;
  }

  async close(reason: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.info({ room: this.name, reason }, 'room closed');
    this.onEmpty(this);
    this.stopRecorders.forEach((stop) => stop());
    this.stopRecorders.clear();
    void this.recordId.then((id) => this.history.callEnded(id, END_REASONS[reason] ?? 'disconnected'));
    await Promise.all([...this.participants.values()].map((p) => p.releaseAll()));
    this.participants.clear();
    const pipeline = await this.pipeline.catch(() => undefined);
    await pipeline?.release();
  }
}
