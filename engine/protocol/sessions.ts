// Client sessions of the Kurento Protocol. A session outlives its WebSocket: a client whose
// socket drops may come back with `connect` and its sessionId. One that does not come back
// within the timeout expires, and the objects it created are released, as KMS does.

import { randomUUID } from 'node:crypto';
import { KmsError } from './errors';

/** KMS's session ids are UUIDs; a longer one is abuse (each is kept, and keys the request cache). */
export const MAX_SESSION_ID_LENGTH = 128;

export interface Peer {
  send(message: unknown): void;
}

export class Session {
  readonly id: string;
  peer: Peer | undefined;
  /** Top-level objects (pipelines) this session created, released when it expires. */
  readonly created = new Set<string>();
  expiry: NodeJS.Timeout | undefined;

  constructor(id: string) {
    this.id = id;
  }
}

export class SessionRegistry {
  private readonly sessions = new Map<string, Session>();
  private readonly timeoutMs: number;
  private readonly onExpire: (session: Session) => void;

  constructor(timeoutMs: number, onExpire: (session: Session) => void) {
    this.timeoutMs = timeoutMs;
    this.onExpire = onExpire;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  ids(): string[] {
    return [...this.sessions.keys()];
  }

  all(): Session[] {
    return [...this.sessions.values()];
  }

  /** The session named by a request, or a new one when it names none (or one we never knew). */
  obtain(id: string | undefined, peer: Peer): Session {
    let session = id ? this.sessions.get(id) : undefined;
    if (!session) {
      session = new Session(id ?? randomUUID());
      this.sessions.set(session.id, session);
    }
    this.bind(session, peer);
    return session;
  }

  /**
   * Binds a session to the connection that speaks for it now. A session whose connection is
   * still open belongs to that connection: another one naming its id (a guessed or leaked
   * id) would take its events and, once that connection closed, let its objects expire.
   */
  bind(session: Session, peer: Peer): void {
    if (session.peer && session.peer !== peer) {
      throw new KmsError('INVALID_SESSION', `Session '${session.id}' is in use by another connection`);
    }
    session.peer = peer;
    clearTimeout(session.expiry);
    session.expiry = undefined;
  }

  /** A socket closed: its sessions start counting down to expiry. */
  detach(peer: Peer): void {
    for (const session of this.sessions.values()) {
      if (session.peer !== peer) continue;
      session.peer = undefined;
      session.expiry = setTimeout(() => this.expire(session), this.timeoutMs);
      session.expiry.unref();
    }
  }

  private expire(session: Session): void {
    this.sessions.delete(session.id);
    this.onExpire(session);
  }

  close(): void {
    for (const session of this.sessions.values()) clearTimeout(session.expiry);
    this.sessions.clear();
  }
}
