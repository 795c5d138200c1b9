// ZBarFilter: reports QR codes and barcodes seen in the video, as KMS's does with GStreamer's
// zbar element. The video passes through unchanged (no re-encoding); the helper decodes a
// copy and scans it. CodeFound (codeType, value) is raised when the code differs from the
// last one reported, or the same code is still seen a second later, as in KMS.

import type { HelperEvent } from '../../gst/helper-process';
import type { EngineContext, MediaObject } from '../media-object';
import { GstFilter } from './gst-filter';

export class ZBarFilter extends GstFilter {
  constructor(ctx: EngineContext, pipeline: MediaObject) {
    super(ctx, 'ZBarFilter', pipeline, ['zbar', 'fakesink']);
  }

  protected override analyzesOnly(): boolean {
    return true;
  }

  protected process(): Record<string, unknown> {
    return { kind: 'zbar' };
  }

  protected override onFilterEvent(event: HelperEvent): void {
    if (event.event === 'code') this.raise('CodeFound', { codeType: String(event.codeType), value: String(event.value) });
  }
}
