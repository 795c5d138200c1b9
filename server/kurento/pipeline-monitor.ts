// Reads one pipeline from its media server, as a learner would want to see it: every element
// with its class, the connections between them with their media types, whether media flows
// in and out of each, and each endpoint's bitrate. It reads through kurento-client only
// (getChildren, getSinkConnections, isMediaFlowingIn/Out, getStats), so it shows the same on
// KMS and on the embedded engine, and it reads only while someone watches.
//
// NOTE: the flow state is asked for (isMediaFlowingIn/Out, the state the MediaFlowIn/Out
// events report) rather than subscribed to: kurento-client turns a subscription that fails
// (an element released a moment before) into an 'error' emit that no listener may catch, which
// would end the process. Asking fails as a rejected call, and the next read recovers.

import type { Logger } from '../logging';
import type {
  FlowMediaType,
  PipelineConnectionView,
  PipelineElementView,
  PipelineSnapshot,
} from '../signaling/pipeline-messages';
import type { ElementProbe, Pipeline } from './client';
import { statsTotals } from './stats-totals';

/** How often a watched pipeline is read. */
export const READ_INTERVAL_MS = 2000;
const MEDIA_TYPES: FlowMediaType[] = ['AUDIO', 'VIDEO'];

export type SnapshotListener = (snapshot: PipelineSnapshot) => void;

interface ByteCount {
  at: number;
  bytesIn: number;
  bytesOut: number;
}

export class PipelineMonitor {
  private readonly listeners = new Set<SnapshotListener>();
  private timer: NodeJS.Timeout | undefined;
  private last: PipelineSnapshot | undefined;
  private lastJson = '';
  private readonly counts = new Map<string, ByteCount>();
  private leaseUntil = 0;
  private stopped = false;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly server: string,
    private readonly log: Logger,
  ) {}

  /** Calls `listener` with the pipeline now and after every change; returns the unwatch. */
  watch(listener: SnapshotListener): () => void {
    this.listeners.add(listener);
    if (this.last) listener(this.last);
    this.schedule(0);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * The pipeline as last read, for a caller that polls (the operator's view): reading goes on
   * for `ms` after each call, so the next poll finds it fresh and bitrates have an interval.
   */
  async peek(ms: number): Promise<PipelineSnapshot | undefined> {
    this.leaseUntil = Math.max(this.leaseUntil, Date.now() + ms);
    if (!this.last) await this.read();
    this.schedule(READ_INTERVAL_MS);
    return this.last;
  }

  /** The pipeline is gone: stop reading for good. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  private get wanted(): boolean {
    return !this.stopped && (this.listeners.size > 0 || Date.now() < this.leaseUntil);
  }

  private schedule(delay: number): void {
    if (this.timer || !this.wanted) return;
    this.timer = setTimeout(() => {
      void this.read().finally(() => {
        this.timer = undefined;
        this.schedule(READ_INTERVAL_MS);
      });
    }, delay);
    this.timer.unref();
  }

  private async read(): Promise<void> {
    let snapshot: PipelineSnapshot;
    try {
      snapshot = await this.snapshot();
    } catch (err) {
      // An element released between two calls, or the pipeline itself: the next read (if the
      // pipeline still exists) sees the new state.
      this.log.debug({ err, pipeline: this.pipeline.id }, 'pipeline read failed');
      return;
    }
    if (this.stopped) return;
    this.last = snapshot;
    const json = JSON.stringify(snapshot);
    if (json === this.lastJson) return;
    this.lastJson = json;
    for (const listener of this.listeners) listener(snapshot);
  }

  private async snapshot(): Promise<PipelineSnapshot> {
    const probes = await this.pipeline.children();
    const present = new Set(probes.map((p) => p.id));
    for (const id of this.counts.keys()) if (!present.has(id)) this.counts.delete(id);
    const read = await Promise.all(probes.map((probe) => this.readElement(probe)));
    const elements = read.map((r) => r.element);
    const connections = read.flatMap((r) => r.connections).filter((c) => present.has(c.sink));
    return { id: this.pipeline.id, server: this.server, elements, connections };
  }

  private async readElement(
    probe: ElementProbe,
  ): Promise<{ element: PipelineElementView; connections: PipelineConnectionView[] }> {
    const [sinks, flowIn, flowOut, bitrate] = await Promise.all([
      probe.sinkConnections(),
      this.flows(probe, 'in'),
      this.flows(probe, 'out'),
      probe.hasRtpStats ? this.bitrate(probe) : Promise.resolve(undefined),
    ]);
    const element: PipelineElementView = { id: probe.id, type: probe.type, flowIn, flowOut };
    if (bitrate) element.bitrate = bitrate;
    const connections = sinks
      .filter((s): s is { sink: string; mediaType: PipelineConnectionView['mediaType'] } =>
        ['AUDIO', 'VIDEO', 'DATA'].includes(s.mediaType),
      )
      .map((s) => ({ source: probe.id, sink: s.sink, mediaType: s.mediaType }));
    return { element, connections };
  }

  private async flows(probe: ElementProbe, direction: 'in' | 'out'): Promise<Partial<Record<FlowMediaType, boolean>>> {
    const states = await Promise.all(MEDIA_TYPES.map((t) => probe.isFlowing(direction, t)));
    return Object.fromEntries(MEDIA_TYPES.map((t, i) => [t, states[i]!]));
  }

  /** kbit/s since the previous read; 0 on the first, which has no interval yet. */
  private async bitrate(probe: ElementProbe): Promise<{ inKbps: number; outKbps: number }> {
    const stats = (await Promise.all(MEDIA_TYPES.map((t) => probe.getStats(t)))).flatMap((s) => Object.values(s));
    const { bytesIn, bytesOut } = statsTotals(stats);
    const now: ByteCount = { at: Date.now(), bytesIn, bytesOut };
    const prev = this.counts.get(probe.id);
    this.counts.set(probe.id, now);
    if (!prev || now.at <= prev.at) return { inKbps: 0, outKbps: 0 };
    const kbps = (bytes: number): number => Math.max(0, Math.round((bytes * 8) / (now.at - prev.at)));
    return { inKbps: kbps(now.bytesIn - prev.bytesIn), outKbps: kbps(now.bytesOut - prev.bytesOut) };
  }
}
