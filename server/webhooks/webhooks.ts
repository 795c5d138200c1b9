// Webhooks, as OpenVidu has them: with WEBHOOK_URL set, the life of every call, participant
// and recording is POSTed there as signed JSON. Delivery never blocks a call: events wait in
// a bounded queue and go out one at a time, in order, each retried with backoff while the
// receiver fails or cannot be reached.
//
// Each request carries `X-Stage-Signature: t=<unix seconds>,v1=<hex>`, where v1 is
// HMAC-SHA256(WEBHOOK_SECRET, `${t}.${body}`): the receiver recomputes it, and refuses a t
// too old to stop replays.

import { createHmac, randomUUID } from 'node:crypto';
import type { Logger } from '../logging';

export type WebhookEventName =
  'sessionCreated' | 'sessionDestroyed' | 'participantJoined' | 'participantLeft' | 'recordingStarted' | 'recordingReady';

export interface WebhookEvent {
  /** Unique per event; a receiver that sees it twice (a retry after a lost answer) drops it. */
  id: string;
  event: WebhookEventName;
  /** When it happened, ISO 8601. */
  timestamp: string;
  data: Record<string, unknown>;
}

export interface WebhookOptions {
  url: string;
  secret: string;
  /** Attempts per event, the first included. */
  attempts?: number;
  /** The wait before the first retry; each next one waits twice as long. */
  backoffMs?: number;
  /** How long one attempt may take. */
  timeoutMs?: number;
  /** Events that may wait behind the one being delivered; beyond it the oldest is dropped. */
  queueLimit?: number;
}

export function signature(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** A failure worth another try: the receiver was unreachable, slow, busy or broken. */
function retriable(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

export class Webhooks {
  private readonly queue: WebhookEvent[] = [];
  private draining: Promise<void> | undefined;
  private closed = false;
  private wake: (() => void) | undefined;
  /** Events delivered, and given up on; for tests and metrics. */
  readonly counts = { delivered: 0, failed: 0, dropped: 0 };

  constructor(
    private readonly options: WebhookOptions | undefined,
    private readonly log: Logger,
  ) {}

  get enabled(): boolean {
    return this.options !== undefined;
  }

  /** Queues an event; returns at once, whatever becomes of it. */
  emit(event: WebhookEventName, data: Record<string, unknown>): void {
    if (!this.options || this.closed) return;
    if (this.queue.length >= (this.options.queueLimit ?? 1000)) {
      const dropped = this.queue.shift();
      this.counts.dropped++;
      this.log.warn({ event: dropped?.event, id: dropped?.id }, 'webhook queue full: the oldest event was dropped');
    }
    this.queue.push({ id: randomUUID(), event, timestamp: new Date().toISOString(), data });
    this.kick();
  }

  /** Starts the one delivery loop unless it runs; one that ends with events left starts again. */
  private kick(): void {
    if (this.draining || this.closed) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length > 0) this.kick();
    });
  }

  /** Delivers what waits, oldest first; the queue holds only events not yet taken. */
  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.closed ? undefined : this.queue.shift()) {
      await this.deliver(next);
    }
  }

  private async deliver(event: WebhookEvent): Promise<void> {
    const { url, secret, attempts = 6, backoffMs = 1000, timeoutMs = 10_000 } = this.options!;
    const body = JSON.stringify(event);
    for (let attempt = 1; ; attempt++) {
      const t = Math.floor(Date.now() / 1000);
      let status: number | undefined;
      let problem: string;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-stage-event': event.event,
            'x-stage-delivery': event.id,
            'x-stage-signature': `t=${t},v1=${signature(secret, t, body)}`,
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
        await response.body?.cancel();
        if (response.ok) {
          this.counts.delivered++;
          return;
        }
        status = response.status;
        problem = `HTTP ${status}`;
      } catch (err) {
        problem = (err as Error).message;
      }
      if (!retriable(status) || attempt >= attempts || this.closed) {
        this.counts.failed++;
        this.log.warn({ event: event.event, id: event.id, attempt, problem }, 'webhook not delivered; given up');
        return;
      }
      const wait = backoffMs * 2 ** (attempt - 1);
      this.log.info({ event: event.event, id: event.id, attempt, problem, retryInMs: wait }, 'webhook not delivered; retrying');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Gives what is queued up to `graceMs` to go out (a shutdown's last events), then stops. */
  async close(graceMs = 3000): Promise<void> {
    const draining = this.draining;
    if (draining) await Promise.race([draining, new Promise((r) => setTimeout(r, graceMs).unref())]);
    this.closed = true;
    this.wake?.();
    if (this.queue.length > 0) this.log.warn({ pending: this.queue.length }, 'webhook events not sent before shutdown');
  }
}
