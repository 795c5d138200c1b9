// One page of the recording demo: it records the camera (shown back to the page, as in the
// tutorial) and then plays recordings back. At most one pipeline at a time, which this
// session owns and releases on stop, stopPlay, a new start, a closed socket or a failure.
// Recording starts once media flows into the media server, as KMS advises, so that a file
// never begins empty; stopAndWait comes before the file is measured and stored.

import { AppError } from '../../../server/errors';
import type { IceCandidate, WebRtcEndpoint } from '../../../server/kurento/client';
import type { MediaServerPool } from '../../../server/kurento/pool';
import type { Logger } from '../../../server/logging';
import type { MediaRepository, PendingRecording, RecordingMode } from '../../../server/media/repository';
import type { RecordingServerMessage } from '../messages';
import type { PipelineFeed } from '../../../server/signaling/pipeline-feed';
import { answerOffer, CandidateQueue, OwnedPipeline } from '../../../server/sessions/media-placement';
import { removeVisitor, visitorLive, type DemoSession, type LiveState } from '../../../server/sessions/session-registry';

export function modeOf(mode: string | undefined): RecordingMode {
  return mode === 'audio-only' || mode === 'video-only' ? mode : 'both';
}

interface Recording {
  pending: PendingRecording;
  stop: () => Promise<void>;
  pause: () => Promise<void>;
  resume: () => Promise<void>;
}

export class RecordingSession implements DemoSession {
  readonly demo = 'recording';
  private pipeline: OwnedPipeline | undefined;
  private recording: Recording | undefined;
  private candidates = new CandidateQueue();
  private lastRecordingId: string | undefined;
  private closed = false;

  constructor(
    private readonly pool: MediaServerPool,
    private readonly repository: MediaRepository,
    private readonly send: (message: RecordingServerMessage) => void,
    private readonly log: Logger,
    private readonly pipelines: PipelineFeed,
  ) {}

  /** A fresh pipeline with a WebRTC endpoint wired for trickle ICE both ways. */
  private async openPipeline(): Promise<{ pipeline: OwnedPipeline; endpoint: WebRtcEndpoint }> {
    await this.releasePipeline();
    const pipeline = await OwnedPipeline.create(this.pool, 'recording', () => {
      this.send(new AppError('MEDIA_SERVER_LOST').toMessage());
      void this.releasePipeline();
    });
    // The page went away while the pipeline was being placed: it is nobody's to keep.
    if (this.closed) {
      await pipeline.release();
      throw new AppError('NOT_STARTED', 'the session has ended');
    }
    this.pipeline = pipeline;
    pipeline.showTo(this.pipelines);
    const endpoint = await pipeline.createWebRtcEndpoint();
    endpoint.onIceCandidate((candidate) => this.send({ id: 'iceCandidate', candidate }));
    endpoint.onPeerLost(() => {
      if (this.pipeline !== pipeline) return;
      this.send(new AppError('MEDIA_CONNECTION_LOST').toMessage());
      void this.stop();
    });
    this.candidates = new CandidateQueue();
    await this.candidates.attach(endpoint);
    return { pipeline, endpoint };
  }

  /** Starts recording; a failure on the way releases what was built. */
  async start(sdpOffer: string, mode: RecordingMode): Promise<void> {
    // A recording in progress is finished and kept, not dropped, when a new one starts.
    if (this.recording) await this.stop();
    await this.startRecording(sdpOffer, mode).catch(async (err: unknown) => {
      this.recording = undefined;
      await this.releasePipeline();
      throw err;
    });
  }

  private async startRecording(sdpOffer: string, mode: RecordingMode): Promise<void> {
    const { pipeline, endpoint } = await this.openPipeline();
    const pending = this.repository.create(mode);
    const recorder = await pipeline.createRecorderEndpoint(pending.uri, pending.profile);
    recorder.on('Recording', () => this.send({ id: 'recording' }));
    recorder.on('Paused', () => this.send({ id: 'paused' }));
    recorder.onError((description) => this.send(new AppError('MEDIA_SERVER_ERROR', description).toMessage()));
    await endpoint.connect(endpoint);
    if (mode === 'both') await endpoint.connect(recorder);
    else await endpoint.connect(recorder, mode === 'audio-only' ? 'AUDIO' : 'VIDEO');
    let recordCalled = false;
    endpoint.onMediaFlowingIn(() => {
      if (recordCalled || this.recording?.pending !== pending) return;
      recordCalled = true;
      recorder.record().catch((err: Error) => this.send(new AppError('MEDIA_SERVER_ERROR', err.message).toMessage()));
    });
    this.recording = {
      pending,
      stop: () => recorder.stopAndWait(),
      pause: () => recorder.pause(),
      resume: () => recorder.record(),
    };
    const sdpAnswer = await answerOffer(endpoint, sdpOffer);
    if (this.pipeline !== pipeline) return;
    this.log.info({ recording: pending.id, mode }, 'recording started');
    this.send({ id: 'startResponse', sdpAnswer });
    await endpoint.gatherCandidates();
  }

  async pause(): Promise<void> {
    if (!this.recording) throw new AppError('NOT_STARTED');
    await this.recording.pause();
  }

  async resume(): Promise<void> {
    if (!this.recording) throw new AppError('NOT_STARTED');
    await this.recording.resume();
  }

  /** Finishes the file, stores it, and tells the page its id. */
  async stop(): Promise<void> {
    const recording = this.recording;
    this.recording = undefined;
    if (!recording) return this.releasePipeline();
    await recording.stop().catch((err: Error) => this.log.warn({ err }, 'stopAndWait failed'));
    await this.releasePipeline();
    const stored = await this.repository.finish(recording.pending, { demo: 'recording', participants: [] });
    if (stored) this.lastRecordingId = stored.id;
    this.send({ id: 'stopped', ...(stored ? { recordingId: stored.id } : {}) });
  }

  async play(sdpOffer: string, recordingId?: string): Promise<void> {
    if (this.recording) await this.stop();
    await this.startPlayback(sdpOffer, recordingId).catch(async (err: unknown) => {
      await this.releasePipeline();
      throw err;
    });
  }

  private async startPlayback(sdpOffer: string, recordingId?: string): Promise<void> {
    const id = recordingId ?? this.lastRecordingId;
    const recording = id ? await this.repository.get(id) : undefined;
    if (!recording || recording.missing) throw new AppError('NOTHING_RECORDED');
    const { pipeline, endpoint } = await this.openPipeline();
    const player = await pipeline.createPlayerEndpoint(this.repository.uriOf(recording.file));
    player.onEndOfStream(() => {
      if (this.pipeline !== pipeline) return;
      this.send({ id: 'playEnd' });
      void this.releasePipeline();
    });
    player.onError((description) => this.send(new AppError('MEDIA_SERVER_ERROR', description).toMessage()));
    await player.connect(endpoint);
    const sdpAnswer = await answerOffer(endpoint, sdpOffer);
    if (this.pipeline !== pipeline) return;
    this.send({ id: 'playResponse', sdpAnswer });
    await endpoint.gatherCandidates();
    await player.play();
  }

  stopPlay(): Promise<void> {
    return this.releasePipeline();
  }

  addCandidate(candidate: IceCandidate): Promise<void> {
    return this.candidates.add(candidate);
  }

  private async releasePipeline(): Promise<void> {
    const pipeline = this.pipeline;
    this.pipeline = undefined;
    this.candidates.clear();
    await pipeline?.release();
  }

  live(): LiveState | undefined {
    return this.closed ? undefined : visitorLive(this.pipeline);
  }

  /** A recording in progress is finished and kept (the page is given its id), then the page is told. */
  async endByOperator(): Promise<void> {
    await this.stop();
    this.send(new AppError('ENDED_BY_OPERATOR').toMessage());
  }

  removeParticipant(name: string): Promise<boolean> {
    return removeVisitor(this, name);
  }

  /** Ends the session: a recording in progress is finished and kept, then all is released. */
  async close(reason: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.log.info({ reason }, 'recording session ended');
    if (this.recording) await this.stop().catch(() => undefined);
    await this.releasePipeline();
  }
}
