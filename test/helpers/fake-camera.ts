// Fake cameras for Chromium (--use-file-for-fake-video-capture): Y4M clips made at test time
// with ffmpeg, cached in the temp directory. Chrome's built-in fake camera draws a simple
// animation at 20 fps that its encoder squeezes into ~0.5 Mbps; a camera that should be sent
// at its real rate needs content that is as hard to compress as a real one.

import { execFileSync } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface FakeCamera {
  /** ffmpeg -f lavfi source and filters, e.g. 'testsrc2=size=640x480:rate=30'. */
  lavfi?: string;
  /** Or a still image, looped (with `filter` applied, e.g. a scale). */
  image?: string;
  filter?: string;
  rate?: number;
  seconds: number;
  name: string;
}

/** A 640x480, 30 fps scene with moving detail and sensor-like noise. */
export const BUSY_CAMERA: FakeCamera = {
  name: 'busy-640x480-30',
  lavfi: 'testsrc2=size=640x480:rate=30,noise=alls=12:allf=t+u',
  seconds: 4,
};

/** Returns the path of the Y4M clip, making it on first use. */
export function fakeCameraFile(camera: FakeCamera): string {
  const path = join(tmpdir(), `kurento-stage-${camera.name}.y4m`);
  if (existsSync(path)) return path;
  const partial = `${path}.${process.pid}.partial.y4m`;
  const input = camera.image ? ['-loop', '1', '-i', camera.image] : ['-f', 'lavfi', '-i', camera.lavfi ?? 'testsrc2'];
  // A graph with several chains (sources of its own, overlays) needs -filter_complex.
  const filter = camera.filter ? [camera.filter.includes(';') ? '-filter_complex' : '-vf', camera.filter] : [];
  const rate = camera.rate ? ['-r', String(camera.rate)] : [];
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    ...input,
    ...filter,
    ...rate,
    '-t',
    String(camera.seconds),
    '-pix_fmt',
    'yuv420p',
    partial,
  ]);
  renameSync(partial, path);
  return path;
}

export function fakeCameraArgs(camera: FakeCamera): string[] {
  return [`--use-file-for-fake-video-capture=${fakeCameraFile(camera)}`];
}
