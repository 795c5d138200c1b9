// The media servers this application uses: one or many. Each is read every few seconds
// (MemberLoad); a new session goes to the healthy member with the most headroom and stays
// there. When a member is lost, only the sessions placed on it hear about it; when it comes
// back, it takes sessions again.
//
// Every pipeline we make carries our instance id as a tag. Whenever a member connects (at
// start-up, after a drop, after its restart) the pipelines there that carry our id and
// belong to no live session are released: what a crash of ours, or a drop that outlasted
// our patience, left behind.

import type { Logger } from '../logging';
import { MediaServerConnection, type Pipeline } from './client';
import { byHeadroom, MemberLoad } from './member-load';
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
  /** Gives the slot back to the pool, once its pipeline is being released. */
  done(): void;
}

export interface PoolOptions {
  /** A fresh TURN credential for each new WebRtcEndpoint, in KMS's `turnUrl` form. */
  turnUrl?: () => string | undefined;
  /** This application's id, tagged on its pipelines; stable across its restarts. */
  instanceId?: string;
  /** How often each member's load is read. */
  pollMs?: number;
  /** How long a member may stay unreachable before its sessions are ended. */
  lostAfterMs?: number;
}

/** The tag key our pipelines carry, with the instance id as its value. */
export const INSTANCE_TAG = 'kurento-stage.instance';
const POLL_MS = 5000;

export interface MemberStatus {
  url: string;
  state: string;
  healthy: boolean;
  /** Sessions we placed there. */
  sessions: number;
  /** What the media server last said: every pipeline it holds, CPU and memory. */
  pipelines?: number;
  cpuCount?: number;
  usedCpuPercent?: number;
  usedMemoryBytes?: number;
}

export class MediaServerPool {
  readonly members: MediaServerConnection[];
  /** Every pipeline placed and not yet given back, oldest first. */
  readonly placements = new Set<Placement>();
  private readonly loads: MemberLoad[];
  /** Our pipelines' ids from their creation until their release: the sweep never takes them. */
  private readonly live = new Set<string>();
  private readonly poller: NodeJS.Timeout;
  private readonly pollMs: number;

  constructor(
    urls: readonly string[],
    private readonly log: Logger,
    readonly options: PoolOptions = {},
  ) {
    this.members = urls.map((url) => new MediaServerConnection(url, log, { lostAfterMs: options.lostAfterMs }));
    this.loads = this.members.map((m) => new MemberLoad(m));
    this.pollMs = options.pollMs ?? POLL_MS;
    this.poller = setInterval(() => void this.readLoads(), this.pollMs);
    this.poller.unref();
    for (const load of this.loads) {
      load.server.on('state', (state) => {
        if (state !== 'ready') return;
        void load.read(this.pollMs);
        void this.sweep(load.server);
        load.server.modules().then(
          (modules) => (load.modules = modules),
          (err: unknown) => this.log.warn({ err, kms: load.server.url }, 'could not read the media server’s modules'),
        );
      });
    }
  }

  get ready(): boolean {
    return this.members.some((m) => m.ready);
  }

  private readLoads(): Promise<void[]> {
    return Promise.all(this.loads.filter((l) => l.server.ready).map((l) => l.read(this.pollMs)));
  }

  /** Creates a pipeline on the member with the most headroom. */
  async place(label: string): Promise<Placement> {
    const load = this.loads.filter((l) => l.server.ready).sort(byHeadroom)[0];
    if (!load) throw new NoMediaServerError();
    const server = load.server;
    server.load++;
    load.placed();
    let pipeline: Pipeline;
    try {
      pipeline = await server.createPipeline();
    } catch (err) {
      server.load--;
      load.released();
      throw err;
    }
    this.live.add(pipeline.id);
    if (this.options.instanceId) {
      // Untagged, the pipeline still works; only a sweep after our crash would miss it.
      await pipeline.tag(INSTANCE_TAG, this.options.instanceId).catch((err: unknown) => {
        this.log.warn({ err, kms: server.url }, 'a pipeline could not be tagged with our instance id');
      });
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
        load.released();
        this.live.delete(pipeline.id);
        placement.monitor.stop();
        this.placements.delete(placement);
      },
    };
    this.placements.add(placement);
    return placement;
  }

  /** Releases the pipelines on `server` tagged with our id that no live session owns. */
  private async sweep(server: MediaServerConnection): Promise<void> {
    const instanceId = this.options.instanceId;
    if (!instanceId) return;
    try {
      const orphans = (await server.pipelinesTagged(INSTANCE_TAG, instanceId)).filter((p) => !this.live.has(p.id));
      if (orphans.length === 0) return;
      await Promise.all(orphans.map((p) => p.release()));
      this.log.info({ kms: server.url, released: orphans.length }, 'released pipelines we left behind');
    } catch (err) {
      this.log.warn({ err, kms: server.url }, 'could not look for pipelines we left behind');
    }
  }

  /** True when every reachable member has said which modules it has, and none has `name`. */
  lacksModule(name: string): boolean {
    const known = this.loads.filter((l) => l.server.ready && l.modules);
    return known.length > 0 && known.every((l) => !l.modules!.includes(name));
  }

  status(): MemberStatus[] {
    return this.loads.map((l) => ({
      url: l.server.url,
      state: l.server.state,
      healthy: l.healthy,
      sessions: l.server.load,
      ...(l.reading && l.server.ready
        ? {
            pipelines: l.reading.pipelines,
            cpuCount: l.reading.cpuCount,
            usedCpuPercent: l.reading.usedCpuPercent,
            usedMemoryBytes: l.reading.usedMemoryBytes,
          }
        : {}),
    }));
  }

  async close(): Promise<void> {
    clearInterval(this.poller);
    await Promise.all(this.members.map((m) => m.close()));
  }
}
