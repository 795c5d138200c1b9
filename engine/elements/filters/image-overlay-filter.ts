// ImageOverlayFilter: draws images at set places over the video, as KMS's (kmslogooverlay).
// addImage(id, uri, offsetX, offsetY, width, height, keepAspectRatio, center) takes
// fractions of the frame; adding an id again replaces that image in place, and images are
// drawn in the order they were first added. Images come under the same rules as the face
// overlay's: the media directory, the URL policy, the pixel limit; one that cannot be read
// raises an Error event and the others stay.

import { ImageCache } from '../../media/image';
import type { Params } from '../../types/params';
import type { EngineContext, MediaObject } from '../media-object';
import { GstFilter } from './gst-filter';

interface PlacedImage {
  path: string;
  offsetX: number;
  offsetY: number;
  width: number;
  height: number;
  keepAspectRatio: boolean;
  center: boolean;
}

export class ImageOverlayFilter extends GstFilter {
  private readonly images: ImageCache;
  /** By id, in the order first added (a Map keeps it, as KMS's GstStructure does). */
  private readonly placed = new Map<string, PlacedImage>();

  constructor(ctx: EngineContext, pipeline: MediaObject) {
    super(ctx, 'ImageOverlayFilter', pipeline, ['gdkpixbufoverlay']);
    this.images = new ImageCache(ctx.config, { allowPrivate: ctx.config.allowPrivateUrls }, ctx.log);
    this.handle('addImage', (p) => this.addImage(p));
    this.handle('removeImage', (p) => this.removeImage(p.id as string));
  }

  private async addImage(p: Params): Promise<void> {
    const id = p.id as string;
    const path = await this.loadImage(this.images, p.uri as string);
    if (path === undefined) return;
    this.placed.set(id, {
      path,
      offsetX: p.offsetXPercent as number,
      offsetY: p.offsetYPercent as number,
      width: p.widthPercent as number,
      height: p.heightPercent as number,
      keepAspectRatio: p.keepAspectRatio as boolean,
      center: p.center as boolean,
    });
    this.command({ cmd: 'images', images: [...this.placed.values()] });
  }

  private removeImage(id: string): void {
    // As KMS: removing an id that is not there changes nothing and is no error.
    if (this.placed.delete(id)) this.command({ cmd: 'images', images: [...this.placed.values()] });
  }

  protected process(): Record<string, unknown> {
    return { kind: 'imageoverlay' };
  }

  protected override helperState(): Record<string, unknown> {
    return { images: [...this.placed.values()] };
  }

  protected override async dispose(): Promise<void> {
    await super.dispose();
    await this.images.dispose();
  }
}
