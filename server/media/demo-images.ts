// The filter demos' images (client/assets: overlays and backgrounds). The media server
// reads them from MEDIA_DIR/filter-images, where they are copied at start-up, through the
// repository's file URIs; so a KMS in Docker finds them under KMS_MEDIA_DIR on the shared
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

  /** The media server's URI of an asset, e.g. `overlays/top-hat.png`. */
  uriOf(file: string): string {
    return this.repository.uriOf(join(FOLDER, file));
  }
}
