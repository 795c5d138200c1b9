// GStreamerFilter: a simple video effect given as a GStreamer command, as in KMS
// ("videobalance saturation=0.0", "videoflip method=horizontal-flip", "edgetv"). Only the
// allow-listed elements of effect-command.ts run. setElementProperty changes a property of
// a one-element command while it plays.

import { KmsError } from '../../protocol/errors';
import type { Params } from '../../types/params';
import type { EngineContext, MediaObject } from '../media-object';
import { checkPropertyValue, effectDescription, gstSetting, parseEffectCommand, type EffectElement } from './effect-command';
import { GstFilter } from './gst-filter';

export class GStreamerFilter extends GstFilter {
  private readonly elements: EffectElement[];

  constructor(ctx: EngineContext, pipeline: MediaObject, params: Params) {
    const elements = parseEffectCommand(params.command as string);
    if (params.filterType === 'AUDIO') {
      throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'The embedded media server runs video GStreamerFilters only');
    }
    super(ctx, 'GStreamerFilter', pipeline, [...new Set(elements.map((e) => e.element))]);
    this.elements = elements;
    const command = params.command as string;
    this.handle('getCommand', () => command);
    this.handle('setElementProperty', (p) => this.setProperty(p.propertyName as string, p.propertyValue as string));
  }

  private setProperty(property: string, value: string): void {
    const effect = this.elements[0];
    if (!effect || this.elements.length !== 1) {
      throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'setElementProperty needs a command of one element');
    }
    checkPropertyValue(effect.element, property, value);
    // Kept, so that a restarted helper starts with it.
    effect.properties = [...effect.properties.filter(([k]) => k !== property), [property, value]];
    const [gstProperty, gstValue] = gstSetting(effect.element, property, value);
    this.command({ cmd: 'set', element: 'effect0', property: gstProperty, value: gstValue });
  }

  protected process(): Record<string, unknown> {
    return { kind: 'effect', command: effectDescription(this.elements) };
  }
}
