// The media servers this application uses: one or many. A new session goes to the
// least-loaded ready server and stays there; when a server is lost, only the sessions
// placed on it hear about it.

import type { Logger } from '../logging';
import { MediaServerConnection, type Pipeline } from './client';
import { PipelineMonitor } from './pipeline-monitor';

export class NoMediaServerError extends Error {
  constructor() {
    super('No media server is reachable right now');
  }
}

export interface Placement {
  server: MediaServerConnection;
  pipeline: Pipeline;
  /** What the pipeline is for (a demo, a room), for the operator's view. */
  label: string;
  /** Reads the pipeline for whoever watches it (a demo page, the operator). */
  monitor: PipelineMonitor;
  /** Gives the slot back to the pool; call once the pipeline is released. */
  done(): void;
}

export interface PoolOptions {
  /** A fresh TURN credential for each new WebRtcEndpoint, in KMS's `turnUrl` form. */
  turnUrl?: () => string | undefined;
}

export class MediaServerPool {
  readonly members: MediaServerConnection[];
  /** Every pipeline placed and not yet given back, oldest first. */
  readonly placements = new Set<Placement>();

  constructor(
    urls: readonly string[],
    private readonly log: Logger,
    readonly options: PoolOptions = {},
  ) {
    this.members = urls.map((url) => new MediaServerConnection(url, log));
  }

  get ready(): boolean {
    return this.members.some((m) => m.ready);
  }

  /** Creates a pipeline on the least-loaded ready server. */
  async place(label: string): Promise<Placement> {
    const server = this.members.filter((m) => m.ready).sort((a, b) => a.load - b.load)[0];
    if (!server) throw new NoMediaServerError();
    server.load++;
    let pipeline: Pipeline;
    try {
      pipeline = await server.createPipeline();
    } catch (err) {
      server.load--;
      throw err;
    }
    let returned = false;
    const placement: Placement = {
      server,
      pipeline,
      label,
      monitor: new PipelineMonitor(pipeline, server.url, this.log),
      done: () => {
        if (returned) return;
        returned = true;
        server.load--;
        placement.monitor.stop();
        this.placements.delete(placement);
      },
    };
    this.placements.add(placement);
    return placement;
  }

  status(): { url: string; state: string; sessions: number }[] {
    return this.members.map((m) => ({ url: m.url, state: m.state, sessions: m.load }));
  }

  async close(): Promise<void> {
    await Promise.all(this.members.map((m) => m.close()));
  }
}
