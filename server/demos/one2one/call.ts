// One accepted one-to-one call: a pipeline with one WebRtcEndpoint per party, each sending
// to the other. The call owns the pipeline; `end` releases it and tells both parties, once,
// whichever of hang-up, a closed page, a failure or shutdown comes first.

import { AppError } from '../../errors';
import type { Logger } from '../../logging';
import type { MediaServerPool } from '../../kurento/pool';
import type { One2OneServerMessage } from '../../signaling/protocol/one2one';
import type { History } from '../history';
import { answerOffer, CandidateQueue, OwnedPipeline } from '../media-placement';
import type { DemoSession } from '../session-registry';

/** One side of a call, as the call sees it. */
export interface Party {
  readonly name: string;
  readonly candidates: CandidateQueue;
  send(message: One2OneServerMessage): void;
}

export type EndReason = 'hang-up' | 'disconnected' | 'error' | 'shutdown';

export class One2OneCall implements DemoSession {
  readonly demo = 'one2one';
  private pipeline: OwnedPipeline | undefined;
  private ended = false;
  private recordId: string | undefined;
  private readonly stopRecorders: (() => void)[] = [];

  constructor(
    readonly caller: Party,
    readonly callee: Party,
    private readonly onEnded: (call: One2OneCall) => void,
    private readonly history: History,
    private readonly statsSeconds: number,
    private readonly log: Logger,
  ) {}

  /** Builds the media path and answers both offers: callee first, as the tutorial does. */
  async start(pool: MediaServerPool, callerOffer: string, calleeOffer: string): Promise<void> {
    this.recordId = await this.history.callStarted('one2one', [this.caller.name, this.callee.name]);
    const pipeline = await OwnedPipeline.create(pool, () => {
      const lost = new AppError('MEDIA_SERVER_LOST').toMessage();
      this.caller.send(lost);
      this.callee.send(lost);
      void this.end('error');
    });
    this.pipeline = pipeline;
    if (this.ended) return pipeline.release();
    const [callerEndpoint, calleeEndpoint] = await Promise.all([
      pipeline.createWebRtcEndpoint(),
      pipeline.createWebRtcEndpoint(),
    ]);
    if (this.ended) return pipeline.release();
    callerEndpoint.onIceCandidate((candidate) => this.caller.send({ id: 'iceCandidate', candidate }));
    calleeEndpoint.onIceCandidate((candidate) => this.callee.send({ id: 'iceCandidate', candidate }));
    await Promise.all([this.caller.candidates.attach(callerEndpoint), this.callee.candidates.attach(calleeEndpoint)]);
    await callerEndpoint.connect(calleeEndpoint);
    await calleeEndpoint.connect(callerEndpoint);

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
    await Promise.all([
      this.history.callEnded(this.recordId, reason === 'shutdown' ? 'disconnected' : reason),
      this.pipeline?.release(),
    ]);
  }

  close(reason: string): Promise<void> {
    return this.end(reason === 'shutdown' ? 'shutdown' : 'error');
  }
}
