// A JSON API read while the page shows it, as a Lit ReactiveController: read once when the
// element connects, then every `everyMs` (0: once), and not after it disconnects. The host
// renders `value` and `problem`; a failed read keeps the last value and says why.

import type { ReactiveController, ReactiveControllerHost } from 'lit';

export class PolledJson<T> implements ReactiveController {
  value: T | undefined;
  problem = '';
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly url: string,
    private readonly everyMs: number,
    /** What the page says when a read fails. */
    private readonly describe: (err: Error) => string,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    void this.read();
    if (this.everyMs > 0) this.timer = setInterval(() => void this.read(), this.everyMs);
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
  }

  private async read(): Promise<void> {
    try {
      const res = await fetch(this.url);
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      this.value = (await res.json()) as T;
      this.problem = '';
    } catch (err) {
      this.problem = this.describe(err as Error);
    }
    this.host.requestUpdate();
  }
}
