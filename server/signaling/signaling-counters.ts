// Signaling messages handled and errors answered, per demo (and per error code), since the
// server started: what the metrics report about the demos' sockets.

import type { ErrorReason } from '../errors';

export interface DemoCounters {
  message(): void;
  error(reason: ErrorReason): void;
}

export class SignalingCounters {
  /** demo → messages handled. */
  readonly messages = new Map<string, number>();
  /** demo → error reason → errors answered. */
  readonly errors = new Map<string, Map<ErrorReason, number>>();

  for(demo: string): DemoCounters {
    return {
      message: () => this.messages.set(demo, (this.messages.get(demo) ?? 0) + 1),
      error: (reason) => {
        const byReason = this.errors.get(demo) ?? new Map<ErrorReason, number>();
        byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
        this.errors.set(demo, byReason);
      },
    };
  }
}
