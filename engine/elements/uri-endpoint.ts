// What recorders and players share (KMS's UriEndpoint): a URI, checked at construction, and a
// STOP/START/PAUSE state whose every change is announced with UriEndpointStateChanged.

import type { MediaUri } from '../media/uri';
import { resolveMediaUri } from '../media/uri';
import { MediaElement } from './media-element';
import type { EngineContext, MediaObject } from './media-object';

export type UriState = 'STOP' | 'START' | 'PAUSE';

export abstract class UriEndpoint extends MediaElement {
  protected readonly uri: string;
  protected readonly target: MediaUri;
  private current: UriState = 'STOP';

  protected constructor(ctx: EngineContext, type: string, pipeline: MediaObject, uri: string, allowHttp: boolean) {
    // Checked before the element exists, so a refused URI leaves nothing behind.
    const target = resolveMediaUri(uri, ctx.config, allowHttp);
    super(ctx, type, pipeline);
    this.uri = uri;
    this.target = target;
    this.handle('getUri', () => this.uri);
    this.handle('getState', () => this.current);
    this.handle('pause', () => this.pause());
    this.handle('stop', () => this.stop());
  }

  protected get state(): UriState {
    return this.current;
  }

  protected setState(state: UriState): void {
    if (state === this.current) return;
    this.current = state;
    this.raise('UriEndpointStateChanged', { state });
  }

  protected abstract pause(): void | Promise<void>;
  protected abstract stop(): void | Promise<void>;
}
