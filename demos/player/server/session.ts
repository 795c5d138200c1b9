// One page of the player demo: a PlayerEndpoint playing the URL the user gave into the
// page's WebRTC endpoint. The URL is an http(s) address, or `recording:<id>` for a file of
// the media repository; the server turns that id into the media server's file URI, so no
// user input ever names a path. The session owns its pipeline and releases it on stop, at
// the end of the video, on a new start and on a closed socket.

import { checkUrl, COULD_NOT_READ, type UrlPolicy } from '../../../packages/url-policy';
import { AppError } from '../../../server/errors';
import type { IceCandidate, PlayerEndpoint } from '../../../server/kurento/client';
import type { MediaServerPool } from '../../../server/kurento/pool';
import type { Logger } from '../../../server/logging';
import type { MediaRepository } from '../../../server/media/repository';
import type { PipelineFeed } from '../../../server/signaling/pipeline-feed';
import type { PlayerServerMessage } from '../messages';
import { answerOffer, CandidateQueue, OwnedPipeline } from '../../../server/sessions/media-placement';
import { removeVisitor, visitorLive, type DemoSession, type LiveState } from '../../../server/sessions/session-registry';

export class PlayerSession implements DemoSession {
  readonly demo = 'player';
  private pipeline: OwnedPipeline | undefined;
  private player: PlayerEndpoint | undefined;
  private candidates = new CandidateQueue();
  private closed = false;

  constructor(
    private readonly pool: MediaServerPool,
    private readonly repository: MediaRepository,
    private readonly send: (message: PlayerServerMessage) => void,
    private readonly log: Logger,
    private readonly urlPolicy: UrlPolicy,
    private readonly pipelines: PipelineFeed,
  ) {}

  /** The media server URI for what the user asked to play. */
  private async resolve(videourl: string): Promise<string> {
    const recording = /^recording:([0-9a-f-]{36})$/.exec(videourl);
    if (recording) {
      const found = await this.repository.get(recording[1] ?? '');
      if (!found || found.missing) throw new AppError('NOT_FOUND', `No recording ${recording[1]}`);
      return this.repository.uriOf(found.file);
    }
    let url: URL;
    try {
      url = new URL(videourl);
    } catch {
      throw new AppError('BAD_URL', `'${videourl}' is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new AppError('BAD_URL', 'use an http(s) URL or pick a recording');
    }
    // NOTE: a real KMS fetches whatever it is given, so the address is checked before any
    // media server sees it (the engine checks again, redirects included, as it fetches).
    try {
      await checkUrl(url, this.urlPolicy);
    } catch (err) {
      this.log.debug({ url: url.href, reason: (err as Error).message }, 'player URL refused');
      throw new AppError('BAD_URL', COULD_NOT_READ);
    }
    return url.href;
  }

  /** Plays `videourl`; a failure on the way releases what was built. */
  async start(sdpOffer: string, videourl: string): Promise<void> {
    const uri = await this.resolve(videourl);
    await this.stop();
    await this.play(sdpOffer, uri).catch(async (err: unknown) => {
      await this.stop();
      throw err;
    });
  }

  private async play(sdpOffer: string, uri: string): Promise<void> {
    const pipeline = await OwnedPipeline.create(this.pool, 'player', () => {
      this.send(new AppError('MEDIA_SERVER_LOST').toMessage());
      void this.stop();
    });
    // The page went away while the pipeline was being placed: it is nobody's to keep.
    if (this.closed) return pipeline.release();
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
    const player = await pipeline.createPlayerEndpoint(uri);
    this.player = player;
    player.onEndOfStream(() => {
      if (this.pipeline !== pipeline) return;
      this.send({ id: 'playEnd' });
      void this.stop();
    });
    player.onError((description) => this.send(new AppError('MEDIA_SERVER_ERROR', description).toMessage()));
    await player.connect(endpoint);
    const sdpAnswer = await answerOffer(endpoint, sdpOffer);
    if (this.pipeline !== pipeline) return;
    this.send({ id: 'startResponse', sdpAnswer });
    await endpoint.gatherCandidates();
    await player.play().catch((err: Error) => {
      throw new AppError('MEDIA_SERVER_ERROR', err.message);
    });
    const info = await player.getVideoInfo();
    this.log.info({ uri, durationMs: info.duration }, 'player started');
    this.send({
      id: 'videoInfo',
      isSeekable: info.isSeekable,
      initSeekable: info.seekableInit,
      endSeekable: info.seekableEnd,
      videoDuration: info.duration,
    });
  }

  private playing(): PlayerEndpoint {
    if (!this.player) throw new AppError('NOT_STARTED');
    return this.player;
  }

  pause(): Promise<void> {
    return this.playing().pause();
  }

  resume(): Promise<void> {
    return this.playing().play();
  }

  async seek(position: number): Promise<void> {
    try {
      await this.playing().setPosition(position);
    } catch (err) {
      if (err instanceof AppError) throw err;
      // The tutorial's answer to a seek that failed.
      this.send({ id: 'seek', message: (err as Error).message });
    }
  }

  async position(): Promise<void> {
    this.send({ id: 'position', position: await this.playing().getPosition() });
  }

  addCandidate(candidate: IceCandidate): Promise<void> {
    return this.candidates.add(candidate);
  }

  async stop(): Promise<void> {
    const pipeline = this.pipeline;
    this.pipeline = undefined;
    this.player = undefined;
    this.candidates.clear();
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
    this.log.info({ reason }, 'player session ended');
    await this.stop();
  }
}
