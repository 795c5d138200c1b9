// Every live demo session, whatever the demo: shutdown ends them all, metrics count them, and
// the operator's API lists them (who is where, on which media server) and may end one or
// remove one of its participants. A session removes itself when it closes.

import { randomUUID } from 'node:crypto';

/** What a session is doing now, for the operator. */
export interface LiveState {
  /** The room's name, for the demos that have rooms (one2many, groupcall). */
  room?: string;
  /** Who is in it, by the names the demo knows them by. */
  participants: string[];
  /** The media server its pipeline is on (credentials masked). */
  mediaServer?: string;
}

export interface DemoSession {
  readonly demo: string;
  /** What it is doing now; undefined while it holds no media (a page open, nothing started). */
  live(): LiveState | undefined;
  /** Ends it because an operator asked: each of its users is told so, in words. */
  endByOperator(): Promise<void>;
  /**
   * Takes one participant out because an operator asked, and tells them. A session of two
   * (a one-to-one call) or a room's presenter ends for everyone. False: no such participant.
   */
  removeParticipant(name: string): Promise<boolean>;
  close(reason: string): Promise<void>;
}

/** The one participant of a single-page session (hello-world, recording, player, filters). */
export const VISITOR = 'visitor';

/** A single-page session's live state: live while it holds a pipeline. */
export function visitorLive(pipeline: { serverUrl: string | undefined } | undefined): LiveState | undefined {
  return pipeline ? { participants: [VISITOR], mediaServer: pipeline.serverUrl } : undefined;
}

/** Removing a single-page session's visitor ends the session. */
export async function removeVisitor(session: Pick<DemoSession, 'endByOperator'>, name: string): Promise<boolean> {
  if (name !== VISITOR) return false;
  await session.endByOperator();
  return true;
}

export interface LiveSession extends LiveState {
  id: string;
  demo: string;
  /** When the session was registered, ISO 8601. */
  since: string;
}

export class SessionRegistry {
  private readonly sessions = new Map<DemoSession, { id: string; since: Date }>();

  add(session: DemoSession): void {
    if (!this.sessions.has(session)) this.sessions.set(session, { id: randomUUID(), since: new Date() });
  }

  delete(session: DemoSession): void {
    this.sessions.delete(session);
  }

  get size(): number {
    return this.sessions.size;
  }

  countByDemo(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.sessions.keys()) out[s.demo] = (out[s.demo] ?? 0) + 1;
    return out;
  }

  /** Every session that holds media now, oldest first. */
  live(): LiveSession[] {
    const out: LiveSession[] = [];
    for (const [session, { id, since }] of this.sessions) {
      const state = session.live();
      if (state) out.push({ id, demo: session.demo, since: since.toISOString(), ...state });
    }
    return out;
  }

  /** The live session with this id, if any. */
  find(id: string): DemoSession | undefined {
    for (const [session, entry] of this.sessions) if (entry.id === id && session.live()) return session;
    return undefined;
  }

  async closeAll(reason: string): Promise<void> {
    await Promise.allSettled([...this.sessions.keys()].map((s) => s.close(reason)));
    this.sessions.clear();
  }
}
