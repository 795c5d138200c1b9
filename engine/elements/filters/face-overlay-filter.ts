// FaceOverlayFilter: draws an image over every face found in the video (up to four), as
// KMS's does. The helper looks for faces on a 320x240 copy of each frame it has time for,
// so detection never holds the picture back, and moves each overlay to follow its face.
// Offsets and size are fractions of the face box, from its top-left corner: KMS's
// magic-mirror tutorial puts a hat on with (-0.35, -1.2, 1.6, 1.6).

import type { Params } from '../../types/params';
import { ImageCache } from '../../media/image';
import type { EngineContext, MediaObject } from '../media-object';
import { GstFilter } from './gst-filter';

interface Overlay {
  path: string;
  offsetX: number;
  offsetY: number;
  width: number;
  height: number;
}

export class FaceOverlayFilter extends GstFilter {
  private readonly images: ImageCache;
  private overlay: Overlay | null = null;

  constructor(ctx: EngineContext, pipeline: MediaObject) {
    super(ctx, 'FaceOverlayFilter', pipeline, ['tee', 'queue', 'videoscale', 'facedetect', 'fakesink', 'gdkpixbufoverlay']);
    this.images = new ImageCache(ctx.config, { allowPrivate: ctx.config.allowPrivateUrls }, ctx.log);
    this.handle('setOverlayedImage', (p) => this.setOverlay(p));
    this.handle('unsetOverlayedImage', () => this.showOverlay(null));
  }

  private async setOverlay(p: Params): Promise<void> {
    const path = await this.loadImage(this.images, p.uri as string);
    if (path === undefined) return this.showOverlay(null);
    this.showOverlay({
      path,
      offsetX: p.offsetXPercent as number,
      offsetY: p.offsetYPercent as number,
      width: p.widthPercent as number,
      height: p.heightPercent as number,
    });
  }

  private showOverlay(overlay: Overlay | null): void {
    this.overlay = overlay;
    this.command({ cmd: 'overlay', overlay });
  }

  protected process(): Record<string, unknown> {
    return { kind: 'faceoverlay' };
  }

  protected override helperState(): Record<string, unknown> {
    return { overlay: this.overlay };
  }

  protected override async dispose(): Promise<void> {
    await super.dispose();
    await this.images.dispose();
  }
}
