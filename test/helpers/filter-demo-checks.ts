// What a user sees the three filter demos do, read from the pixels of the page's remote
// video: a hat above the face, the chosen background behind the figure, and the effects. The
// same checks run against the embedded engine (test/integration/filter-demos.browser.test.ts)
// and against a real KMS where Docker exists (test/docker/kms-demos.test.ts).

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { projectRoot } from '../../server/util/paths';
import { eventually } from './app';
import { backgroundFrameArgs, FACE, LEFT_OF_FIGURE, type BackgroundFit } from './filter-cameras';
import { captureFrame, channelSpread, colourBox, cropped, meanColour, type Box, type Frame, type Rgb } from './frames';

export const TOP_HAT_BAND: Rgb = [0xc0, 0x28, 0x3a];
export const CROWN_GOLD: Rgb = [0xf2, 0xb7, 0x05];
/** Above the face: where a hat goes (the astronaut photo has red lower down, in the flag). */
export const ABOVE_FACE: Box = { x: 120, y: 0, width: 320, height: FACE.y };

export const remote = (demo: string): string => `${demo} >> stage-video-tile[video-id=remote] >> video`;
export const local = (demo: string): string => `${demo} >> stage-video-tile[video-id=local] >> video`;

/** Pixels of the top hat's red band above the face. */
export const hatBand = (f: Frame): number => colourBox(cropped(f, ABOVE_FACE), TOP_HAT_BAND, 90).count;

/**
 * The magic mirror draws the top hat above the astronaut's face, centred on it within
 * `centreWithin` pixels. Returns the frame that shows it.
 */
export async function expectTopHatAboveFace(page: Page, centreWithin = 20): Promise<Frame> {
  const hat = await eventually(
    () => captureFrame(page, remote('magic-mirror-demo')),
    (f) => hatBand(f) > 500,
    30_000,
    'the top hat above the face',
  );
  const band = colourBox(cropped(hat, ABOVE_FACE), TOP_HAT_BAND, 90).box!;
  const centre = ABOVE_FACE.x + band.x + band.width / 2;
  expect(Math.abs(centre - (FACE.x + FACE.width / 2))).toBeLessThan(centreWithin);
  return hat;
}

/** An image as the chroma filter shows it at 640x480. */
function backgroundAsShown(image: string, fit: BackgroundFit): Frame {
  return { width: 640, height: 480, data: execFileSync('ffmpeg', backgroundFrameArgs(image, fit), { maxBuffer: 8 << 20 }) };
}

/**
 * The chroma demo on the green-screen camera: the video comes back as it is; a click on the
 * green calibrates; the background then shows the Hubble deep field, the sunset when chosen,
 * and the green again with none.
 */
export async function expectChromaBackgrounds(page: Page, fit: BackgroundFit): Promise<void> {
  const demo = 'chroma-demo';
  expect(await page.locator(`${demo} >> #credit`).textContent()).toMatch(/Hubble deep field: NASA, public domain/);
  // Before calibrating, the video comes back as it is.
  expect(meanColour(await captureFrame(page, remote(demo)), LEFT_OF_FIGURE)[1]).toBeGreaterThan(150);

  // Click the green at (40, 40) of the 640x480 picture, wherever the tile shows it.
  const localVideo = page.locator(local(demo));
  const shown = (await localVideo.boundingBox())!;
  await localVideo.click({ position: { x: (shown.width * 40) / 640, y: (shown.height * 40) / 480 } });
  await page.locator(`${demo} >> #calibrated`).getByText('Calibrated').waitFor();

  const hubble = backgroundAsShown(join(projectRoot, 'client/assets/backgrounds/hubble_deep_field.jpg'), fit);
  const want = meanColour(hubble, LEFT_OF_FIGURE);
  const near = (f: Frame): boolean => meanColour(f, LEFT_OF_FIGURE).every((v, c) => Math.abs(v - want[c]!) < 15);
  // The first frames after the click may still be on their way; the picture settles on the image.
  await eventually(() => captureFrame(page, remote(demo)), near, 20_000, 'the Hubble deep field behind the figure');

  // Another background, live: the sunset is far brighter than deep space.
  await page.click('#background-sunset');
  await eventually(
    () => captureFrame(page, remote(demo)),
    (f) => meanColour(f, LEFT_OF_FIGURE)[0] > 80,
    10_000,
    'the sunset behind the figure',
  );
  await page.click('#background-none');
  await eventually(
    () => captureFrame(page, remote(demo)),
    (f) => meanColour(f, LEFT_OF_FIGURE)[1] > 150,
    10_000,
    'the green back, with no background',
  );
}

/**
 * The effects demo on a still, colourful and lopsided picture: black and white first (grey
 * is easy to tell), then a mirror image, then none: the colours come back.
 */
export async function expectEffects(page: Page): Promise<void> {
  const demo = 'effects-demo';
  await eventually(
    () => captureFrame(page, remote(demo)),
    (f) => channelSpread(f) < 6,
    20_000,
    'a black and white picture',
  );

  await page.click('#effect-mirror');
  // Mirrored: the remote picture's left edge is the local picture's right edge.
  const strip = (f: Frame, x: number): Rgb => meanColour(f, { x, y: 40, width: 40, height: 400 });
  const mirrored = async (): Promise<boolean> => {
    const [r, l] = [await captureFrame(page, remote(demo)), await captureFrame(page, local(demo))];
    const [a, b, c] = [strip(r, 0), strip(l, 600), strip(l, 0)];
    const distance = (p: Rgb, q: Rgb): number => Math.abs(p[0] - q[0]) + Math.abs(p[1] - q[1]) + Math.abs(p[2] - q[2]);
    return channelSpread(r) > 20 && distance(a, b) < 20 && distance(a, c) > 35;
  };
  await eventually(mirrored, (m) => m, 10_000, 'a mirror image in colour');

  await page.click('#effect-none');
  expect(await page.locator(`${demo} >> #command`).textContent()).toMatch(/none/);
  await eventually(
    () => captureFrame(page, remote(demo)),
    (f) => channelSpread(f) > 20,
    10_000,
    'the colours back with no effect',
  );
}
