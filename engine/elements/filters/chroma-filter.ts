// ChromaFilter (kms-chroma's chroma.ChromaFilter): replaces one colour with a background
// image. The colour is calibrated, as in KMS, from the `window` area over the first frames
// the filter sees; from then on pixels near it show the background (or stay as they are
// while no background is set). A helper that restarts keeps the calibrated colour.

import { ImageCache } from '../../media/image';
import { KmsError } from '../../protocol/errors';
import { resolveImageUri } from '../../media/uri';
import type { HelperEvent } from '../../gst/helper-process';
import type { Params } from '../../types/params';
import type { EngineContext, MediaObject } from '../media-object';
import { GstFilter } from './gst-filter';

interface Window {
  x: number;
  y: number;
  width: number;
  height: number;
}

type Colour = { r: number; g: number; b: number };

export class ChromaFilter extends GstFilter {
  private readonly images: ImageCache;
  private readonly window: Window;
  private key: Colour | undefined;
  private background: string | undefined;
  /** The constructor's background image, fetched before the first helper starts. */
  private initialUri: string | undefined;

  constructor(ctx: EngineContext, pipeline: MediaObject, params: Params) {
    super(ctx, 'ChromaFilter', pipeline, ['alpha', 'appsrc', 'compositor', 'identity']);
    const w = params.window as { topRightCornerX: number; topRightCornerY: number; width: number; height: number };
    // NOTE: KMS names the window's corner "topRight", but it is the top-left one.
    this.window = { x: w.topRightCornerX, y: w.topRightCornerY, width: w.width, height: w.height };
    if (this.window.width <= 0 || this.window.height <= 0 || this.window.x < 0 || this.window.y < 0) {
      throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'The chroma window needs a position >= 0 and a positive size');
    }
    this.images = new ImageCache(ctx.config, { allowPrivate: ctx.config.allowPrivateUrls }, ctx.log);
    this.initialUri = (params.backgroundImage as string | undefined) || undefined;
    // A path outside the media directory, or a scheme no one can read, fails the create in words.
    if (this.initialUri) resolveImageUri(this.initialUri, ctx.config);
    this.handle('setBackground', (p) => this.setBackground(p.uri as string));
    this.handle('unsetBackground', () => this.showBackground(undefined));
  }

  private async setBackground(uri: string): Promise<void> {
    this.initialUri = undefined;
    this.showBackground(await this.loadImage(this.images, uri));
  }

  private showBackground(path: string | undefined): void {
    this.background = path;
    this.command({ cmd: 'background', path: path ?? null });
  }

  protected async process(): Promise<Record<string, unknown>> {
    // NOTE: fetched when the media starts, not in the constructor, so that a client has had
    // the time to subscribe to the Error event that a failed download raises.
    const initial = this.initialUri;
    this.initialUri = undefined;
    if (initial) this.background ??= await this.loadImage(this.images, initial);
    return { kind: 'chroma', window: this.window, background: this.background, key: this.key };
  }

  protected override onFilterEvent(event: HelperEvent): void {
    if (event.event === 'calibrated') {
      this.key = { r: Number(event.r), g: Number(event.g), b: Number(event.b) };
      this.log.debug({ key: this.key }, 'chroma key calibrated');
    }
  }

  protected override async dispose(): Promise<void> {
    await super.dispose();
    await this.images.dispose();
  }
}
