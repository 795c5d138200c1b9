// The GStreamerFilter commands the embedded media server accepts: a chain of allow-listed
// video elements ("videobalance saturation=0.0 ! videoflip method=horizontal-flip"), each
// property known and its value of the right kind. The command is rebuilt from the parsed
// parts, so nothing the caller wrote (caps, bins, quotes, other elements) reaches
// GStreamer, and no shell ever sees it.

import { KmsError } from '../../protocol/errors';

type PropertyKind = 'number' | 'int' | 'boolean' | readonly string[];

const FLIP_METHODS = [
  'none',
  'clockwise',
  'rotate-180',
  'counterclockwise',
  'horizontal-flip',
  'vertical-flip',
  'upper-left-diagonal',
  'upper-right-diagonal',
] as const;

const VIDEO_DIRECTIONS = ['identity', '90r', '180', '90l', 'horiz', 'vert', 'ul-lr', 'ur-ll'] as const;

/**
 * videoflip's `method` is what KMS users write, but GStreamer 1.22 ignores it (it is
 * deprecated in favour of `video-direction`): each method becomes its direction.
 */
const DIRECTION_OF_METHOD: Record<string, string> = Object.fromEntries(FLIP_METHODS.map((m, i) => [m, VIDEO_DIRECTIONS[i]!]));

/** The setting GStreamer is given for one the caller wrote. */
export function gstSetting(element: string, property: string, value: string): [string, string] {
  if (element === 'videoflip' && property === 'method') return ['video-direction', DIRECTION_OF_METHOD[value]!];
  return [property, value];
}

/** Element name → its settable properties. Video in, video out, nothing else. */
export const EFFECTS: Record<string, Record<string, PropertyKind>> = {
  videobalance: { saturation: 'number', brightness: 'number', contrast: 'number', hue: 'number' },
  videoflip: { method: FLIP_METHODS, 'video-direction': VIDEO_DIRECTIONS },
  gamma: { gamma: 'number' },
  coloreffects: { preset: ['none', 'heat', 'sepia', 'xray', 'xpro', 'yellowblue'] },
  edgetv: {},
  agingtv: { 'scratch-lines': 'int', 'color-aging': 'boolean', pits: 'boolean', dusts: 'boolean' },
  dicetv: { 'square-bits': 'int' },
  warptv: {},
  shagadelictv: {},
  vertigotv: { speed: 'number', 'zoom-speed': 'number' },
  revtv: { delay: 'int', linespace: 'int', gain: 'int' },
  quarktv: { planes: 'int' },
  streaktv: { feedback: 'boolean' },
  rippletv: { mode: ['motion-detection', 'rain'] },
  radioactv: { mode: ['normal', 'strobe1', 'strobe2', 'trigger'], color: ['red', 'green', 'blue', 'white'] },
  optv: { mode: ['maelstrom', 'radiation', 'horizontal-stripes', 'vertical-stripes'] },
};

export interface EffectElement {
  element: string;
  properties: [string, string][];
}

const illegal = (message: string): KmsError => new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', message);

export function checkPropertyValue(element: string, property: string, value: string): void {
  // NOTE: own properties only: `constructor` or `__proto__` must not reach Object.prototype.
  const properties = Object.hasOwn(EFFECTS, element) ? EFFECTS[element] : undefined;
  const kind = properties && Object.hasOwn(properties, property) ? properties[property] : undefined;
  if (!kind) {
    const known = Object.keys(EFFECTS[element] ?? {});
    throw illegal(`${element} has no property '${property}' here${known.length ? ` (use ${known.join(', ')})` : ''}`);
  }
  const ok =
    kind === 'number'
      ? /^-?\d+(\.\d+)?$/.test(value)
      : kind === 'int'
        ? /^-?\d+$/.test(value)
        : kind === 'boolean'
          ? value === 'true' || value === 'false'
          : kind.includes(value);
  if (!ok) {
    const expected = typeof kind === 'string' ? `a ${kind}` : `one of ${kind.join(', ')}`;
    throw illegal(`${element} ${property}=${value}: the value must be ${expected}`);
  }
}

/** Parses and checks a command; throws in words at the first thing not allowed. */
export function parseEffectCommand(command: string): EffectElement[] {
  if (command.length > 500) throw illegal('The GStreamerFilter command is too long');
  const parts = command.split('!').map((p) => p.trim());
  if (parts.length > 8 || parts.some((p) => p === '')) throw illegal(`'${command}' is not a chain of elements (a ! b ! c)`);
  return parts.map((part) => {
    const [element = '', ...settings] = part.split(/\s+/);
    if (!Object.hasOwn(EFFECTS, element)) {
      throw illegal(`'${element}' is not an allowed GStreamerFilter element; use ${Object.keys(EFFECTS).join(', ')}`);
    }
    const properties = settings.map((s): [string, string] => {
      const m = /^([a-z][a-z0-9-]*)=(.+)$/.exec(s);
      if (!m) throw illegal(`'${s}' is not a property=value setting`);
      const [, property = '', value = ''] = m;
      checkPropertyValue(element, property, value);
      return [property, value];
    });
    return { element, properties };
  });
}

/** The GStreamer description of checked elements, each named effect0, effect1, ... */
export function effectDescription(elements: EffectElement[]): string {
  return elements
    .map((e, i) =>
      [e.element, `name=effect${i}`, ...e.properties.map(([k, v]) => gstSetting(e.element, k, v).join('='))].join(' '),
    )
    .join(' ! videoconvert ! ');
}
