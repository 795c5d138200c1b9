// What every demo session does with its pipeline: get one from the pool (with the pool's
// failures turned into errors a user can read), hear when its media server loses it, and
// release it exactly once.

import { AppError } from '../errors';
import type {
  ChromaFilter,
  ChromaWindow,
  FaceOverlayFilter,
  GStreamerFilter,
  IceCandidate,
  MediaServerFailure,
  Pipeline,
  PlayerEndpoint,
  RecorderEndpoint,
  WebRtcEndpoint,
} from '../kurento/client';
import { NoMediaServerError, type MediaServerPool, type Placement } from '../kurento/pool';
import type { PipelineFeed, WatchablePipeline } from '../signaling/pipeline-feed';
import type { PipelineSnapshot } from '../signaling/pipeline-messages';

export class OwnedPipeline implements WatchablePipeline {
  private placement: Placement | undefined;
  private readonly releaseListeners = new Set<() => void>();

  private constructor(
    placement: Placement,
    private readonly onLost: () => void,
    private readonly turnUrl: (() => string | undefined) | undefined,
  ) {
    this.placement = placement;
    placement.server.on('objectsLost', onLost);
  }

  /**
   * Places a new pipeline; `onLost` runs if its media server restarts without it. `label`
   * says what it is for (the demo, a room) in the operator's view of all pipelines.
   */
  static async create(pool: MediaServerPool, label: string, onLost: () => void): Promise<OwnedPipeline> {
    try {
      return new OwnedPipeline(await pool.place(label), onLost, pool.options.turnUrl);
    } catch (err) {
      if (err instanceof NoMediaServerError) throw new AppError('MEDIA_SERVER_UNAVAILABLE');
      throw new AppError('MEDIA_SERVER_ERROR', (err as Error).message);
    }
  }

  get serverUrl(): string | undefined {
    return this.placement?.server.url;
  }

  /** Shows this pipeline on a signaling socket's page; returns what hides it again. */
  showTo(feed: PipelineFeed): () => void {
    feed.show(this);
    return () => feed.hide(this);
  }

  watch(listener: (snapshot: PipelineSnapshot) => void): () => void {
    return this.placement?.monitor.watch(listener) ?? (() => undefined);
  }

  onReleased(listener: () => void): () => void {
    this.releaseListeners.add(listener);
    return () => this.releaseListeners.delete(listener);
  }

  /** A WebRtcEndpoint that relays through the app's TURN server, when there is one. */
  createWebRtcEndpoint(): Promise<WebRtcEndpoint> {
    const turnUrl = this.turnUrl;
    return this.build(async (p) => {
      const endpoint = await p.createWebRtcEndpoint();
      const url = turnUrl?.();
      if (url) await endpoint.setTurnUrl(url);
      return endpoint;
    });
  }

  createRecorderEndpoint(uri: string, mediaProfile: string): Promise<RecorderEndpoint> {
    return this.build((p) => p.createRecorderEndpoint(uri, mediaProfile));
  }

  createPlayerEndpoint(uri: string): Promise<PlayerEndpoint> {
    return this.build((p) => p.createPlayerEndpoint(uri));
  }

  createFaceOverlayFilter(): Promise<FaceOverlayFilter> {
    return this.build((p) => p.createFaceOverlayFilter());
  }

  createChromaFilter(window: ChromaWindow, backgroundImage?: string): Promise<ChromaFilter> {
    return this.build((p) => p.createChromaFilter(window, backgroundImage));
  }

  createGStreamerFilter(command: string): Promise<GStreamerFilter> {
    return this.build((p) => p.createGStreamerFilter(command));
  }

  private build<T>(create: (pipeline: Pipeline) => Promise<T>): Promise<T> {
    if (!this.placement) return Promise.reject(new AppError('MEDIA_SERVER_ERROR', 'The pipeline was released'));
    return create(this.placement.pipeline).catch((err: MediaServerFailure) => {
      // KMS's "Factory not found" (40108) and "type not found" (40100): a module it lacks.
      if (err.code === 40108 || err.code === 40100) throw new AppError('MEDIA_MODULE_MISSING', err.message);
      throw new AppError('MEDIA_SERVER_ERROR', err.message);
    });
  }

  /** Releases the pipeline (and with it every element in it). Safe to call twice. */
  async release(): Promise<void> {
    const placement = this.placement;
    this.placement = undefined;
    if (!placement) return;
    placement.server.off('objectsLost', this.onLost);
    placement.monitor.stop();
    for (const listener of [...this.releaseListeners]) listener();
    this.releaseListeners.clear();
    // The slot is given back at once: a media server that was lost may never answer the
    // release (if it comes back holding the pipeline, the pool's sweep takes it).
    placement.done();
    await placement.pipeline.release();
  }
}

/** processOffer with a bad SDP becomes the user's BAD_SDP error. */
export async function answerOffer(endpoint: WebRtcEndpoint, sdpOffer: string): Promise<string> {
  try {
    return await endpoint.processOffer(sdpOffer);
  } catch (err) {
    throw new AppError('BAD_SDP', (err as Error).message);
  }
}

/** Candidates that arrive before their endpoint exists wait here, as in the tutorials. */
export class CandidateQueue {
  private endpoint: WebRtcEndpoint | undefined;
  private readonly waiting: IceCandidate[] = [];

  async add(candidate: IceCandidate): Promise<void> {
    if (!this.endpoint) {
      if (this.waiting.length < 100) this.waiting.push(candidate);
      return;
    }
    try {
      await this.endpoint.addIceCandidate(candidate);
    } catch (err) {
      throw new AppError('BAD_CANDIDATE', (err as Error).message);
    }
  }

  async attach(endpoint: WebRtcEndpoint): Promise<void> {
    this.endpoint = endpoint;
    for (const c of this.waiting.splice(0)) await this.add(c).catch(() => undefined);
  }

  clear(): void {
    this.endpoint = undefined;
    this.waiting.length = 0;
  }
}
