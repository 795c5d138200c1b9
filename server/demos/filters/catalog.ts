// What the filter demos offer: overlays for the magic mirror, backgrounds for chroma, and
// effects. Plain data, shared by the server (which turns ids into media-server URIs and
// commands) and the pages (which draw the choosers), so a browser can only name an entry,
// never a path or a GStreamer command.

export interface OverlayChoice {
  id: string;
  label: string;
  /** Under client/assets/. */
  file: string;
  /** setOverlayedImage's offsetX, offsetY, width, height: fractions of the face box. */
  place: [number, number, number, number];
}

export interface BackgroundChoice {
  id: string;
  label: string;
  file: string;
  credit: string;
}

export interface EffectChoice {
  id: string;
  label: string;
  command: string;
}

export const OVERLAYS: OverlayChoice[] = [
  { id: 'top-hat', label: 'Top hat', file: 'overlays/top-hat.png', place: [-0.35, -1.05, 1.7, 1.4] },
  { id: 'party-hat', label: 'Party hat', file: 'overlays/party-hat.png', place: [0.1, -1.25, 0.8, 1.2] },
  { id: 'crown', label: 'Crown', file: 'overlays/crown.png', place: [-0.1, -0.75, 1.2, 0.8] },
];

export const BACKGROUNDS: BackgroundChoice[] = [
  {
    id: 'hubble',
    label: 'Hubble deep field',
    file: 'backgrounds/hubble_deep_field.jpg',
    credit: 'Hubble deep field: NASA, public domain (sample data of scikit-image).',
  },
  { id: 'sunset', label: 'Sunset', file: 'backgrounds/sunset.png', credit: 'Sunset: drawn for Kurento Stage.' },
];

export const EFFECTS: EffectChoice[] = [
  { id: 'grey', label: 'Black and white', command: 'videobalance saturation=0.0' },
  { id: 'mirror', label: 'Mirror', command: 'videoflip method=horizontal-flip' },
  { id: 'edges', label: 'Edges', command: 'edgetv' },
  { id: 'sepia', label: 'Sepia', command: 'coloreffects preset=sepia' },
  { id: 'aging', label: 'Old film', command: 'agingtv' },
  { id: 'vivid', label: 'Vivid', command: 'videobalance saturation=1.8 contrast=1.2' },
];

/** "none" in every chooser: the video passes unchanged. */
export const NONE = 'none';
