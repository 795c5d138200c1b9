// Fake cameras for the filter tests, made at test time with ffmpeg: the astronaut (one face,
// where facedetect finds it) and a figure on studio green.

import { join, resolve } from 'node:path';
import type { FakeCamera } from './fake-camera';
import type { Box, Rgb } from './frames';

const ROOT = resolve(__dirname, '../..');

/** The astronaut, 640x480 at 15 fps: facedetect finds one face at x=217 y=48, 119x119. */
export const FACE_CAMERA: FakeCamera = {
  name: 'astronaut-640x480-15',
  image: join(ROOT, 'test/fixtures/astronaut.png'),
  filter: 'scale=640:480',
  rate: 15,
  seconds: 5,
};
export const FACE: Box = { x: 217, y: 48, width: 119, height: 119 };

/** A brick-red figure standing on studio green. */
export const GREEN: Rgb = [0x00, 0xb1, 0x40];
export const FIGURE_COLOUR: Rgb = [0xc0, 0x40, 0x20];
export const FIGURE: Box = { x: 240, y: 140, width: 160, height: 240 };
export const CHROMA_CAMERA: FakeCamera = {
  name: 'green-screen-640x480-15',
  lavfi: 'color=c=0x00B140:s=640x480:r=15,drawbox=x=240:y=140:w=160:h=240:color=0xC04020:t=fill',
  seconds: 5,
};

/** Background regions left and right of the figure. */
export const LEFT_OF_FIGURE: Box = { x: 20, y: 20, width: 180, height: 440 };
export const RIGHT_OF_FIGURE: Box = { x: 440, y: 20, width: 180, height: 440 };

export const inset = (b: Box, by: number): Box => ({
  x: b.x + by,
  y: b.y + by,
  width: b.width - 2 * by,
  height: b.height - 2 * by,
});

/** An image as the chroma filter shows it: scaled to cover 640x480, centred; RGBA. */
export function coverFrameArgs(image: string): string[] {
  return [
    '-v',
    'error',
    '-i',
    image,
    '-vf',
    'scale=640:480:force_original_aspect_ratio=increase,crop=640:480',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgba',
    '-',
  ];
}
