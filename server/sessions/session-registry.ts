// Every live demo session, whatever the demo, so that shutdown can end them all (and so
// metrics can count them). A session removes itself when it closes.

export interface DemoSession {
  readonly demo: string;
  close(reason: string): Promise<void>;
}

export class SessionRegistry {
  private readonly sessions = new Set<DemoSession>();

  add(session: DemoSession): void {
    this.sessions.add(session);
  }

  delete(session: DemoSession): void {
    this.sessions.delete(session);
  }

  get size(): number {
    return this.sessions.size;
  }

  countByDemo(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.sessions) out[s.demo] = (out[s.demo] ?? 0) + 1;
    return out;
  }

  async closeAll(reason: string): Promise<void> {
    await Promise.allSettled([...this.sessions].map((s) => s.close(reason)));
    this.sessions.clear();
  }
}
