// Pixels of a playing <video>, as a user sees them: the element's current frame drawn to a
// canvas and read back (getImageData), then measured in the test. Playwright locators pierce
// shadow DOM, so the selector can name a video inside a demo's web component.

import type { Page } from 'playwright-core';

export interface Frame {
  width: number;
  height: number;
  /** RGBA, row by row. */
  data: Buffer;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type Rgb = [number, number, number];

/** The plain colours of the test cameras and clips (red, green, blue), or 'other'. */
export type Colour = 'red' | 'green' | 'blue' | 'other';
export const colourOf = ([r, g, b]: Rgb): Colour =>
  r > 150 && g < 90 && b < 90 ? 'red' : g > 130 && r < 90 && b < 120 ? 'green' : b > 150 && r < 90 && g < 120 ? 'blue' : 'other';

/** The frame the video shows now; waits up to `timeoutMs` for it to have one, then fails. */
export async function captureFrame(page: Page, selector = 'video', timeoutMs = 15_000): Promise<Frame> {
  const video = page.locator(selector).first();
  await video.waitFor({ state: 'attached', timeout: timeoutMs });
  const waited = await video.evaluate(
    (v: HTMLVideoElement, timeoutMs: number) =>
      new Promise<string>((done) => {
        const deadline = Date.now() + timeoutMs;
        const check = (): void => {
          if (v.videoWidth > 0 && v.readyState >= 2) return done('');
          if (Date.now() > deadline) return done(`videoWidth ${v.videoWidth}, readyState ${v.readyState}`);
          setTimeout(check, 50);
        };
        check();
      }),
    timeoutMs,
  );
  if (waited) throw new Error(`${selector} showed no frame within ${timeoutMs} ms (${waited})`);
  const { width, height, b64 } = await video.evaluate((v: HTMLVideoElement) => {
    const canvas = document.createElement('canvas');
    canvas.width = v.videoWidth;
    canvas.height = v.videoHeight;
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(v, 0, 0);
    const bytes = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return { width: canvas.width, height: canvas.height, b64: btoa(text) };
  });
  return { width, height, data: Buffer.from(b64, 'base64') };
}

export function pixel(frame: Frame, x: number, y: number): Rgb {
  const i = (y * frame.width + x) * 4;
  return [frame.data[i]!, frame.data[i + 1]!, frame.data[i + 2]!];
}

export function meanColour(frame: Frame, box: Box): Rgb {
  const sum: Rgb = [0, 0, 0];
  let n = 0;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      const p = pixel(frame, x, y);
      sum[0] += p[0];
      sum[1] += p[1];
      sum[2] += p[2];
      n++;
    }
  }
  return sum.map((s) => s / Math.max(1, n)) as Rgb;
}

/** Where the pixels close to `colour` are: how many, and the box around them. */
export function colourBox(frame: Frame, colour: Rgb, tolerance: number): { count: number; box?: Box } {
  let count = 0;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const p = pixel(frame, x, y);
      if (Math.abs(p[0] - colour[0]) + Math.abs(p[1] - colour[1]) + Math.abs(p[2] - colour[2]) > tolerance) continue;
      count++;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  }
  return count === 0 ? { count } : { count, box: { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 } };
}

/** The mean spread between a pixel's largest and smallest channel: 0 for a grey picture. */
export function channelSpread(frame: Frame): number {
  let total = 0;
  const n = frame.width * frame.height;
  for (let i = 0; i < n * 4; i += 4) {
    const r = frame.data[i]!;
    const g = frame.data[i + 1]!;
    const b = frame.data[i + 2]!;
    total += Math.max(r, g, b) - Math.min(r, g, b);
  }
  return total / n;
}

/** The part of a frame inside `box`. */
export function cropped(frame: Frame, box: Box): Frame {
  const data = Buffer.alloc(box.width * box.height * 4);
  for (let y = 0; y < box.height; y++) {
    const from = ((box.y + y) * frame.width + box.x) * 4;
    frame.data.copy(data, y * box.width * 4, from, from + box.width * 4);
  }
  return { width: box.width, height: box.height, data };
}
