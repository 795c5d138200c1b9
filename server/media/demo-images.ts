// The filter demos' images (client/assets: overlays and backgrounds), copied at start-up to
// where the media server reads them. The embedded engine reads them from the app's data folder
// (DATA_DIR/filter-images), outside the media directory its recorders write, so no recording
// can land on them. A KMS elsewhere reads them from MEDIA_DIR/filter-images on the shared
// volume, under KMS_MEDIA_DIR, with no route back to this server needed; the app names every
// recording there itself, so none lands on them either.

import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { assetsDir } from '../util/paths';
import type { MediaRepository } from './repository';

const FOLDER = 'filter-images';

export class DemoImages {
  /** `engineDir`: where the embedded engine reads them; unset for a KMS (the shared volume). */
  constructor(
    private readonly repository: MediaRepository,
    private readonly engineDir?: string,
  ) {}

  async install(): Promise<void> {
    for (const kind of ['overlays', 'backgrounds']) {
      const target = this.engineDir ? join(this.engineDir, kind) : this.repository.pathOf(join(FOLDER, kind));
      await cp(join(assetsDir, kind), target, { recursive: true });
    }
  }

  /**
   * What the media server is given for an asset, e.g. `overlays/top-hat.png`: a plain path,
   * because KMS's filters read images with OpenCV's imread or download them, and take no
   * `file://` URI (it logs "Cannot parse URL" and draws nothing).
   */
  imageOf(file: string): string {
    return this.engineDir ? join(this.engineDir, file) : this.repository.serverPathOf(join(FOLDER, file));
  }
}
