// A media pipeline: the container that owns a call's elements. Releasing it releases them.

import { MediaObject, type EngineContext } from './media-object';

export class MediaPipeline extends MediaObject {
  latencyStats = false;

  constructor(ctx: EngineContext) {
    super(ctx, 'MediaPipeline');
    this.handle('getLatencyStats', () => this.latencyStats);
    this.handle('setLatencyStats', (p) => {
      this.latencyStats = p.latencyStats as boolean;
    });
  }

  get mediaPipeline(): MediaObject {
    return this;
  }
}
