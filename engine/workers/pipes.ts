// The main thread's record of how pipelines spread over media workers: which workers hold a
// shard of which pipeline, and which sources are piped to which workers. A source connected to
// a sink in another worker is piped there once (a PipeOut in its worker, a stand-in with its id
// in the sink's); later sinks in that worker connect to the stand-in. Pipes and shards are made
// on first need, and released with what they serve: a source's pipes with the source, a
// pipeline's shards with the pipeline, and everything that led to a worker that died.

import { MessageChannel } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { MediaWorker } from './media-worker';

interface Pipe {
  id: number;
  from: MediaWorker;
  made: Promise<void>;
}

/** The pipeline an object lives in: its id's first part (an element's id extends its parent's). */
export const pipelineOf = (id: string): string => id.split('/')[0]!;

export class Pipes {
  /** pipeline id → the workers other than its own that hold a shard of it. */
  private readonly shards = new Map<string, Map<MediaWorker, Promise<void>>>();
  /** source id → far worker → the pipe to it. */
  private readonly pipes = new Map<string, Map<MediaWorker, Pipe>>();
  /** The mirrors being released for an object that left: a release waits for them, as KMS's does. */
  private readonly releasing = new Map<string, Promise<unknown>>();
  private seq = 0;

  constructor(private readonly log: Logger) {}

  /** Makes `worker` hold a shard of `pipeline`, once. */
  shardOn(pipeline: string, worker: MediaWorker): Promise<void> {
    let held = this.shards.get(pipeline);
    if (!held) this.shards.set(pipeline, (held = new Map()));
    let made = held.get(worker);
    if (!made) {
      made = worker.shard(pipeline);
      held.set(worker, made);
      made.catch(() => held.delete(worker));
    }
    return made;
  }

  /** Pipes `source` (of class `type`, living in `from`) to `to`, once. */
  pipe(source: string, type: string, from: MediaWorker, to: MediaWorker): Promise<void> {
    let far = this.pipes.get(source);
    if (!far) this.pipes.set(source, (far = new Map()));
    const existing = far.get(to);
    if (existing) return existing.made;
    const id = ++this.seq;
    const made = (async () => {
      await this.shardOn(pipelineOf(source), to);
      const { port1, port2 } = new MessageChannel();
      try {
        await to.pipeIn(source, type, port2);
        await from.pipeOut(id, source, port1);
      } catch (err) {
        port1.close();
        port2.close();
        // Whichever half was made goes: the stand-in if the source's half failed.
        await to.release(source).catch(() => undefined);
        throw err;
      }
    })();
    far.set(to, { id, from, made });
    made.catch(() => {
      if (far.get(to)?.made === made) far.delete(to);
    });
    return made;
  }

  /** Whether `source` is piped to `to`. */
  piped(source: string, to: MediaWorker): boolean {
    return this.pipes.get(source)?.has(to) ?? false;
  }

  /** The workers `source` is piped to. */
  farWorkers(source: string): MediaWorker[] {
    return [...(this.pipes.get(source)?.keys() ?? [])];
  }

  /** The workers that hold a shard of `pipeline`. */
  shardWorkers(pipeline: string): MediaWorker[] {
    return [...(this.shards.get(pipeline)?.keys() ?? [])];
  }

  /** An object left the directory: its stand-ins go, and if it was a pipeline, its shards. */
  forget(id: string): void {
    const holders = [...this.farWorkers(id), ...this.shardWorkers(id)];
    this.pipes.delete(id);
    this.shards.delete(id);
    if (holders.length === 0) return;
    const released = Promise.all(holders.map((worker) => this.releaseOn(worker, id)));
    this.releasing.set(id, released);
    void released.finally(() => {
      if (this.releasing.get(id) === released) this.releasing.delete(id);
    });
  }

  /** Resolves once the mirrors of `id` (a released source or pipeline) are gone too. */
  async settled(id: string): Promise<void> {
    await this.releasing.get(id);
  }

  /** A worker died: its shards and stand-ins died with it, and the pipes to it close. */
  workerLost(worker: MediaWorker): void {
    for (const held of this.shards.values()) held.delete(worker);
    for (const far of this.pipes.values()) {
      const pipe = far.get(worker);
      if (!pipe) continue;
      far.delete(worker);
      pipe.from.unpipe(pipe.id).catch(() => undefined);
    }
  }

  private async releaseOn(worker: MediaWorker, id: string): Promise<void> {
    if (!worker.alive) return;
    await worker.release(id).catch((err: unknown) => this.log.warn({ err, object: id }, 'a mirror could not be released'));
  }
}
