// The GStreamer helper processes (engine/gst/helper.py) of one engine: players and filters
// each run one as a child of the engine process, and tests check that none outlives its
// element. Scoped to the engine under test, so other engines on the machine do not count.

import { execFileSync } from 'node:child_process';

/** An engine process, as EngineProcess (or the app's embedded engine) exposes it. */
export interface EngineHandle {
  readonly pid: number | undefined;
}

export function helperPids(engine: EngineHandle): number[] {
  if (engine.pid === undefined) return [];
  try {
    const out = execFileSync('pgrep', ['-P', String(engine.pid), '-f', 'engine/gst/helper.py'], { encoding: 'utf8' });
    return out.trim().split('\n').map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** A poller for `eventually`: how many helpers `engine` has now. */
export const helpersOf =
  (engine: EngineHandle): (() => number) =>
  () =>
    helperPids(engine).length;
