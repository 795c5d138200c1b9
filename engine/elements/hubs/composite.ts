// Composite: KMS's MCU hub. Every port gives out one picture, a grid of the ports whose video
// is arriving (KMS's layout: ceil(sqrt(n)) columns, in the order the ports were made, on
// black, at the constructor's width, height and framerate), and its own mix of every other
// port's audio. An input that stops leaves the grid, and comes back with its next frame.

import { KmsError } from '../../protocol/errors';
import type { Params } from '../../types/params';
import type { EngineContext, MediaObject } from '../media-object';
import { MixingHub } from './mixing-hub';

export class Composite extends MixingHub {
  constructor(ctx: EngineContext, pipeline: MediaObject, params: Params) {
    const size = {
      width: (params.width as number | undefined) ?? 800,
      height: (params.height as number | undefined) ?? 600,
      framerate: (params.framerate as number | undefined) ?? 15,
    };
    const { width, height, framerate } = size;
    if (width < 16 || height < 16 || width > 3840 || height > 2160 || framerate < 1 || framerate > 60) {
      throw new KmsError(
        'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR',
        'Composite needs a width of 16 to 3840, a height of 16 to 2160 and a framerate of 1 to 60',
      );
    }
    super(ctx, 'Composite', pipeline, { layout: 'grid', audio: 'others', ...size });
  }
}
