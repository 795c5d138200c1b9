// Keeps the history bounded: ended calls older than HISTORY_MAX_DAYS, or beyond the newest
// HISTORY_MAX_CALLS, are deleted with their stats snapshots, and so are old empty rooms. It
// runs at start-up and every minute, so a flood of refused calls (each one a record) cannot
// grow the store for long. Calls still open are never touched.

import type { Logger } from '../logging';
import type { Store } from './store';

const PRUNE_INTERVAL_MS = 60_000;
const DAY_MS = 24 * 3600 * 1000;

export interface RetentionSettings {
  maxDays: number;
  maxCalls: number;
}

export class HistoryRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly settings: RetentionSettings,
    private readonly log: Logger,
  ) {}

  /** Prunes now (awaited) and then every minute. */
  async start(): Promise<void> {
    await this.prune();
    this.timer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.timer.unref();
  }

  /** One pass; a pass already running is waited for rather than doubled. */
  prune(now = new Date()): Promise<void> {
    this.running ??= this.store
      .prune({ before: new Date(now.getTime() - this.settings.maxDays * DAY_MS), maxCalls: this.settings.maxCalls })
      .then((removed) => {
        if (removed > 0) this.log.info({ removed, ...this.settings }, 'old call history deleted');
      })
      .catch((err: unknown) => this.log.warn({ err }, 'pruning the call history failed; it is tried again in a minute'))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
