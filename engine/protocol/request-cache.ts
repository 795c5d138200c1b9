// Responses remembered per (session, request id) for a while, as KMS's RequestCache keeps
// them: kurento-client re-sends the requests still pending when its socket comes back, and
// a re-sent `create` must answer the object it already made, not make a second one.

/** KMS keeps a response 20 s (ServerMethods.cpp, REQUEST_TIMEOUT). */
const KEEP_MS = 20_000;
/** A flood of distinct ids cannot grow the cache without bound. */
const MAX_ENTRIES = 10_000;

interface Entry {
  at: number;
  response: unknown;
}

export class RequestCache {
  private readonly entries = new Map<string, Entry>();

  get(sessionId: unknown, id: unknown): unknown {
    const key = keyOf(sessionId, id);
    if (key === undefined) return undefined;
    const entry = this.entries.get(key);
    if (!entry || Date.now() - entry.at > KEEP_MS) return undefined;
    return entry.response;
  }

  put(sessionId: unknown, id: unknown, response: unknown): void {
    const key = keyOf(sessionId, id);
    if (key === undefined) return;
    this.expire();
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { at: Date.now(), response });
  }

  clear(): void {
    this.entries.clear();
  }

  /** Entries are in insertion order, so the expired ones are at the front. */
  private expire(): void {
    const now = Date.now();
    for (const [key, entry] of this.entries) {
      if (now - entry.at <= KEEP_MS) break;
      this.entries.delete(key);
    }
  }
}

function keyOf(sessionId: unknown, id: unknown): string | undefined {
  if (typeof sessionId !== 'string' || sessionId === '') return undefined;
  if (typeof id !== 'number' && typeof id !== 'string') return undefined;
  return `${sessionId}|${String(id)}`;
}
