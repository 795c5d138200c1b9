// The GStreamer helper processes (engine/gst/helper.py) alive on this machine: players and
// filters each run one, and tests check that none outlives its element.

import { execFileSync } from 'node:child_process';

export function helperPids(): number[] {
  try {
    return execFileSync('pgrep', ['-f', 'engine/gst/helper.py'], { encoding: 'utf8' }).trim().split('\n').map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

export const helperProcesses = (): number => helperPids().length;
