// One signaling socket's view of the pipelines its sessions are in. Sessions show a pipeline
// to the socket when they build or join it and hide it when they leave; a released pipeline
// drops out by itself. Nothing is sent until the page asks (`watchPipeline`), and nothing is
// read from the media server for a page that did not ask.

import type { PipelineSnapshot, PipelinesMessage } from './pipeline-messages';

/** A pipeline that can be watched (OwnedPipeline): snapshots while watched, and its end. */
export interface WatchablePipeline {
  watch(listener: (snapshot: PipelineSnapshot) => void): () => void;
  onReleased(listener: () => void): () => void;
}

interface Shown {
  snapshot: PipelineSnapshot | undefined;
  unwatch: (() => void) | undefined;
  forget: () => void;
}

export class PipelineFeed {
  private readonly shown = new Map<WatchablePipeline, Shown>();
  private watching = false;

  constructor(private readonly send: (message: PipelinesMessage) => void) {}

  /** The page's `watchPipeline`: start (or stop) sending. */
  setWatching(watching: boolean): void {
    if (watching === this.watching) return;
    this.watching = watching;
    for (const [pipeline, entry] of this.shown) {
      if (watching) this.subscribe(pipeline, entry);
      else this.unsubscribe(entry);
    }
    if (watching) this.publish();
  }

  show(pipeline: WatchablePipeline): void {
    if (this.shown.has(pipeline)) return;
    const entry: Shown = { snapshot: undefined, unwatch: undefined, forget: () => undefined };
    entry.forget = pipeline.onReleased(() => this.hide(pipeline));
    this.shown.set(pipeline, entry);
    if (this.watching) this.subscribe(pipeline, entry);
  }

  hide(pipeline: WatchablePipeline): void {
    const entry = this.shown.get(pipeline);
    if (!entry) return;
    this.shown.delete(pipeline);
    entry.forget();
    this.unsubscribe(entry);
    if (this.watching) this.publish();
  }

  /** The socket closed: stop watching everything. */
  close(): void {
    this.watching = false;
    for (const pipeline of [...this.shown.keys()]) this.hide(pipeline);
  }

  private subscribe(pipeline: WatchablePipeline, entry: Shown): void {
    entry.unwatch ??= pipeline.watch((snapshot) => {
      entry.snapshot = snapshot;
      this.publish();
    });
  }

  private unsubscribe(entry: Shown): void {
    entry.unwatch?.();
    entry.unwatch = undefined;
    entry.snapshot = undefined;
  }

  private publish(): void {
    const pipelines = [...this.shown.values()].flatMap((e) => (e.snapshot ? [e.snapshot] : []));
    this.send({ id: 'pipelines', pipelines });
  }
}
