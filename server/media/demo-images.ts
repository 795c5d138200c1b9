// The filter demos' images (client/assets: overlays and backgrounds). The media server
// reads them from MEDIA_DIR/filter-images, where they are copied at start-up, through the
// repository's paths; so a KMS in Docker finds them under KMS_MEDIA_DIR on the shared
// volume, with no route back to this server needed.

import { cp } from 'node:fs/promises';
import { join } from 'node:path';
import { assetsDir } from '../util/paths';
import type { MediaRepository } from './repository';

const FOLDER = 'filter-images';

export class DemoImages {
  constructor(private readonly repository: MediaRepository) {}

  async install(): Promise<void> {
    for (const kind of ['overlays', 'backgrounds']) {
      await cp(join(assetsDir, kind), this.repository.pathOf(join(FOLDER, kind)), { recursive: true });
    }
  }

  /**
   * What the media server is given for an asset, e.g. `overlays/top-hat.png`: a plain path,
   * because KMS's filters read images with OpenCV's imread or download them, and take no
   * `file://` URI (it logs "Cannot parse URL" and draws nothing).
   */
  imageOf(file: string): string {
    return this.repository.serverPathOf(join(FOLDER, file));
  }
}
