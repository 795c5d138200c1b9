// A media pipeline: the container that owns a call's elements. Releasing it releases them.
// A pipeline whose elements spread over several media workers has a shard in each of the
// others: a mirror with the pipeline's id, owning the elements placed there.

import { MediaObject, type EngineContext } from './media-object';

export class MediaPipeline extends MediaObject {
  latencyStats = false;

  /** `shardOf`: the id of the pipeline this one is a shard of, in another worker. */
  constructor(
    ctx: EngineContext,
    private readonly shardOf?: string,
  ) {
    super(ctx, 'MediaPipeline', undefined, shardOf);
    this.handle('getLatencyStats', () => this.latencyStats);
    this.handle('setLatencyStats', (p) => {
      this.latencyStats = p.latencyStats as boolean;
    });
  }

  get mediaPipeline(): MediaObject {
    return this;
  }

  override get mirror(): boolean {
    return this.shardOf !== undefined;
  }
}
