// One accepted one-to-one call: a pipeline with one WebRtcEndpoint per party, each sending
// to the other. The call owns the pipeline; `end` releases it and tells both parties, once,
// whichever of hang-up, a closed page, a failure or shutdown comes first. A recorded call
// (the one2one-call-recording tutorial) also has one recorder per party, each started when
// that party's media flows and finished, measured and stored before the pipeline goes.

import { AppError } from '../../../server/errors';
import type { Logger } from '../../../server/logging';
import type { MediaServerPool } from '../../../server/kurento/pool';
import type { WebRtcEndpoint } from '../../../server/kurento/client';
import type { MediaRepository, PendingRecording } from '../../../server/media/repository';
import type { One2OneServerMessage } from '../messages';
import type { PipelineFeed } from '../../../server/signaling/pipeline-feed';
import type { History } from '../../../server/sessions/history';
import { answerOffer, CandidateQueue, OwnedPipeline } from '../../../server/sessions/media-placement';
import type { DemoSession, LiveState } from '../../../server/sessions/session-registry';

/** One side of a call, as the call sees it. */
export interface Party {
  readonly name: string;
  readonly candidates: CandidateQueue;
  /** The party's page, which may watch the call's pipeline. */
  readonly pipelines: PipelineFeed;
  send(message: One2OneServerMessage): void;
}

export type EndReason = 'hang-up' | 'disconnected' | 'error' | 'media-server-lost' | 'ended-by-operator' | 'shutdown';

export class One2OneCall implements DemoSession {
  readonly demo = 'one2one';
  private pipeline: OwnedPipeline | undefined;
  private ended = false;
  private recordId: string | undefined;
  private readonly stopRecorders: (() => void)[] = [];
  private readonly recordings: { party: Party; pending: PendingRecording; stop: () => Promise<void> }[] = [];

  constructor(
    readonly caller: Party,
    readonly callee: Party,
    private readonly onEnded: (call: One2OneCall) => void,
    private readonly history: History,
    private readonly statsSeconds: number,
    private readonly log: Logger,
    private readonly repository?: MediaRepository,
  ) {}

  /** A recorder for what `party` sends, started once that media reaches the media server. */
  private async recordParty(pipeline: OwnedPipeline, party: Party, endpoint: WebRtcEndpoint): Promise<void> {
    if (!this.repository) return;
    const pending = this.repository.create('both');
    const recorder = await pipeline.createRecorderEndpoint(pending.uri, pending.profile);
    let started = false;
    endpoint.onMediaFlowingIn(() => {
      if (started || this.ended) return;
      started = true;
      recorder.record().catch((err: Error) => this.log.warn({ err }, 'recorder did not start'));
    });
    await endpoint.connect(recorder);
    this.recordings.push({ party, pending, stop: () => recorder.stopAndWait() });
  }

  /** Builds the media path and answers both offers: callee first, as the tutorial does. */
  async start(pool: MediaServerPool, callerOffer: string, calleeOffer: string): Promise<void> {
    this.recordId = await this.history.callStarted('one2one', [this.caller.name, this.callee.name]);
    const pipeline = await OwnedPipeline.create(pool, `one2one ${this.caller.name} → ${this.callee.name}`, () => {
      const lost = new AppError('MEDIA_SERVER_LOST').toMessage();
      this.caller.send(lost);
      this.callee.send(lost);
      void this.end('media-server-lost');
    });
    this.pipeline = pipeline;
    if (this.ended) return pipeline.release();
    pipeline.showTo(this.caller.pipelines);
    pipeline.showTo(this.callee.pipelines);
    const [callerEndpoint, calleeEndpoint] = await Promise.all([
      pipeline.createWebRtcEndpoint(),
      pipeline.createWebRtcEndpoint(),
    ]);
    if (this.ended) return pipeline.release();
    callerEndpoint.onIceCandidate((candidate) => this.caller.send({ id: 'iceCandidate', candidate }));
    calleeEndpoint.onIceCandidate((candidate) => this.callee.send({ id: 'iceCandidate', candidate }));
    // Either side's media gone for good ends the call for both, as a hang-up would.
    for (const endpoint of [callerEndpoint, calleeEndpoint]) {
      endpoint.onPeerLost(() => {
        // Both endpoints may lose their peer; the first one ends the call for both.
        if (this.ended) return;
        const lost = new AppError('MEDIA_CONNECTION_LOST').toMessage();
        this.caller.send(lost);
        this.callee.send(lost);
        void this.end('disconnected');
      });
    }
    await Promise.all([this.caller.candidates.attach(callerEndpoint), this.callee.candidates.attach(calleeEndpoint)]);
    await callerEndpoint.connect(calleeEndpoint);
    await calleeEndpoint.connect(callerEndpoint);
    await this.recordParty(pipeline, this.caller, callerEndpoint);
    await this.recordParty(pipeline, this.callee, calleeEndpoint);

    const calleeAnswer = await answerOffer(calleeEndpoint, calleeOffer);
    if (this.ended) return;
    this.callee.send({ id: 'startCommunication', sdpAnswer: calleeAnswer });
    await calleeEndpoint.gatherCandidates();

    const callerAnswer = await answerOffer(callerEndpoint, callerOffer);
    if (this.ended) return;
    this.caller.send({ id: 'callResponse', response: 'accepted', sdpAnswer: callerAnswer });
    await callerEndpoint.gatherCandidates();
    // A hang-up during set-up has already stopped the recorders; do not start new ones.
    if (this.ended) return;
    this.stopRecorders.push(
      this.history.recordStats(this.recordId, this.caller.name, callerEndpoint, this.statsSeconds),
      this.history.recordStats(this.recordId, this.callee.name, calleeEndpoint, this.statsSeconds),
    );
    this.log.info({ caller: this.caller.name, callee: this.callee.name, kms: pipeline.serverUrl }, 'one2one call started');
  }

  /** Ends the call for both parties and releases the pipeline. Safe to call twice. */
  async end(reason: EndReason): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.log.info({ caller: this.caller.name, callee: this.callee.name, reason }, 'one2one call ended');
    for (const party of [this.caller, this.callee]) {
      party.candidates.clear();
      party.send({ id: 'stopCommunication', reason });
    }
    this.onEnded(this);
    this.stopRecorders.forEach((stop) => stop());
    // Files are complete before the pipeline (and with it the recorders) goes.
    await Promise.all(this.recordings.map((r) => r.stop().catch(() => undefined)));
    await Promise.all([
      this.history.callEnded(this.recordId, reason === 'shutdown' ? 'disconnected' : reason),
      this.pipeline?.release(),
    ]);
    for (const { party, pending } of this.recordings.splice(0)) {
      await this.repository
        ?.finish(pending, { demo: 'one2one', sessionId: this.recordId, participants: [party.name] })
        .catch((err: Error) => this.log.warn({ err }, 'recording not stored'));
    }
  }

  live(): LiveState | undefined {
    if (this.ended || !this.pipeline) return undefined;
    return { participants: [this.caller.name, this.callee.name], mediaServer: this.pipeline.serverUrl };
  }

  async endByOperator(): Promise<void> {
    if (this.ended) return;
    for (const party of [this.caller, this.callee]) party.send(new AppError('ENDED_BY_OPERATOR').toMessage());
    await this.end('ended-by-operator');
  }

  /** A call of two cannot go on with one: the one removed is told so, the other that it ended. */
  async removeParticipant(name: string): Promise<boolean> {
    const removed = [this.caller, this.callee].find((p) => p.name === name);
    if (!removed || this.ended) return false;
    for (const party of [this.caller, this.callee]) {
      party.send(new AppError(party === removed ? 'REMOVED_BY_OPERATOR' : 'ENDED_BY_OPERATOR').toMessage());
    }
    await this.end('ended-by-operator');
    return true;
  }

  close(reason: string): Promise<void> {
    return this.end(reason === 'shutdown' ? 'shutdown' : 'error');
  }
}
