// The media servers this application uses: one or many. A new session goes to the
// least-loaded ready server and stays there; when a server is lost, only the sessions
// placed on it hear about it.

import type { Logger } from '../logging';
import { MediaServerConnection, type Pipeline } from './client';

export class NoMediaServerError extends Error {
  constructor() {
    super('No media server is reachable right now');
  }
}

export interface Placement {
  server: MediaServerConnection;
  pipeline: Pipeline;
  /** Gives the slot back to the pool; call once the pipeline is released. */
  done(): void;
}

export class MediaServerPool {
  readonly members: MediaServerConnection[];

  constructor(urls: readonly string[], log: Logger) {
    this.members = urls.map((url) => new MediaServerConnection(url, log));
  }

  get ready(): boolean {
    return this.members.some((m) => m.ready);
  }

  /** Creates a pipeline on the least-loaded ready server. */
  async place(): Promise<Placement> {
    const server = this.members.filter((m) => m.ready).sort((a, b) => a.load - b.load)[0];
    if (!server) throw new NoMediaServerError();
    server.load++;
    let returned = false;
    const done = (): void => {
      if (returned) return;
      returned = true;
      server.load--;
    };
    try {
      return { server, pipeline: await server.createPipeline(), done };
    } catch (err) {
      done();
      throw err;
    }
  }

  status(): { url: string; state: string; sessions: number }[] {
    return this.members.map((m) => ({ url: m.url, state: m.state, sessions: m.load }));
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.close()));
  }
}
