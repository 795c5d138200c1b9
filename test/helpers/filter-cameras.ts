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

/**
 * How a media server fits a background image to the frame: the engine covers it (scaled to
 * fill, centred, cropped); KMS's kms-chroma stretches it to the frame's size (cv::resize).
 */
export type BackgroundFit = 'cover' | 'stretch';

/** ffmpeg's arguments that write an image as the chroma filter shows it at 640x480, as RGBA. */
export function backgroundFrameArgs(image: string, fit: BackgroundFit = 'cover'): string[] {
  return [
    '-v',
    'error',
    '-i',
    image,
    '-vf',
    fit === 'cover' ? 'scale=640:480:force_original_aspect_ratio=increase,crop=640:480' : 'scale=640:480',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgba',
    '-',
  ];
}

/** The astronaut's head and shoulders, 300x375, framed in white (to find it in a frame). */
const HEAD = '[0:v]crop=240:300:110:0,scale=300:375,drawbox=x=0:y=0:w=iw:h=ih:color=white:t=4';
/** Where the face's centre is, from the left edge of HEAD (facedetect, measured). */
export const HEAD_FACE_CENTRE_X = 141;

/** Two heads side by side, still: x=10 and x=330, both at y=100. */
export const TWO_FACES_CAMERA: FakeCamera = {
  name: 'two-faces-640x480-15',
  image: join(ROOT, 'test/fixtures/astronaut.png'),
  filter: `color=c=black:s=640x480[bg];${HEAD},split[a][b];[bg][a]overlay=10:100[t];[t][b]overlay=330:100`,
  rate: 15,
  seconds: 5,
};

/** One head swinging left and right (x = 170 ± 150, a 5 s period, so the loop is seamless). */
export const MOVING_FACE_CAMERA: FakeCamera = {
  name: 'moving-face-640x480-15',
  image: join(ROOT, 'test/fixtures/astronaut.png'),
  filter: `color=c=black:s=640x480:r=15[bg];${HEAD}[h];[bg][h]overlay=x='170+150*sin(2*PI*t/5)':y=100:shortest=1`,
  rate: 15,
  seconds: 5,
};

/** Four faces in a 2x2 grid, still: the astronaut's head cropped above the shoulders. */
export const FOUR_FACES_CAMERA: FakeCamera = {
  name: 'four-faces-640x480-15',
  image: join(ROOT, 'test/fixtures/astronaut.png'),
  filter:
    'color=c=black:s=640x480[bg];[0:v]crop=240:190:110:0,scale=300:-2,split=4[a][b][c][d];' +
    '[bg][a]overlay=10:0[t1];[t1][b]overlay=330:0[t2];[t2][c]overlay=10:240[t3];[t3][d]overlay=330:240',
  rate: 15,
  seconds: 5,
};
/** Where each face's centre is, from the left edge of its grid cell (facedetect, measured). */
export const GRID_FACE_CENTRE_X = 146;
