// What the pool knows of one media server's load. The media server itself is read every few
// seconds (ServerManager: its CPUs, the CPU and memory in use, and every pipeline it holds,
// ours and other applications'); what we placed or released since that reading is counted on
// top, since the reading cannot show it yet.

import type { MediaServerConnection } from './client';

export interface LoadReading {
  cpuCount: number;
  usedCpuPercent: number;
  usedMemoryBytes: number;
  /** Every pipeline on the media server, whoever made it. */
  pipelines: number;
  /** When it was read (ms since the epoch). */
  at: number;
}

/** Above this CPU use a member takes new sessions only when every member is as busy. */
export const BUSY_CPU_PERCENT = 85;
/** KMS's CPU sampling window for getUsedCpu (it answers after this long). */
const CPU_SAMPLE_MS = 500;

export class MemberLoad {
  reading: LoadReading | undefined;
  /** The last reading failed or timed out: the member answers no more (hung, or swamped). */
  unresponsive = false;
  /** Pipelines we placed (+) or released (−) here since the reading. */
  private sinceReading = 0;
  /** The modules it has loaded, read each time it connects (a restart may bring others). */
  modules: string[] | undefined;

  constructor(readonly server: MediaServerConnection) {}

  /** Reads the media server; gives up after `timeoutMs`, and then counts it unresponsive. */
  async read(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
    });
    const sinceBefore = this.sinceReading;
    try {
      const [resources, ids] = await Promise.race([
        Promise.all([this.server.resources(CPU_SAMPLE_MS), this.server.pipelineIds()]),
        timeout,
      ]);
      this.reading = { ...resources, pipelines: ids.length, at: Date.now() };
      // What happened while the reading was under way may or may not be in it; counting it
      // again for a few seconds errs on the side of spreading.
      this.sinceReading -= sinceBefore;
      this.unresponsive = false;
    } catch {
      this.unresponsive = true;
    } finally {
      clearTimeout(timer);
    }
  }

  placed(): void {
    this.sinceReading++;
  }

  released(): void {
    this.sinceReading--;
  }

  /** Connected, and answering its readings (none made yet counts as answering). */
  get healthy(): boolean {
    return this.server.ready && !this.unresponsive;
  }

  get busy(): boolean {
    return (this.reading?.usedCpuPercent ?? 0) >= BUSY_CPU_PERCENT;
  }

  /** Pipelines per CPU: what the member carries, for members of different sizes alike. */
  get pipelinesPerCpu(): number {
    const pipelines = this.reading ? Math.max(0, this.reading.pipelines + this.sinceReading) : this.server.load;
    return pipelines / (this.reading?.cpuCount || 1);
  }
}

/**
 * The order of preference for a new session: healthy first, then not busy, then the fewest
 * pipelines per CPU, then the least CPU in use.
 */
export function byHeadroom(a: MemberLoad, b: MemberLoad): number {
  return (
    Number(b.healthy) - Number(a.healthy) ||
    Number(a.busy) - Number(b.busy) ||
    a.pipelinesPerCpu - b.pipelinesPerCpu ||
    (a.reading?.usedCpuPercent ?? 0) - (b.reading?.usedCpuPercent ?? 0)
  );
}
