// What the main thread and a media worker say to each other. Everything crosses by structured
// clone; errors cross as the wire errors they will become, so a KMS code raised in a worker
// reaches the client unchanged.

import type { MessagePort } from 'node:worker_threads';
import type { EngineConfig } from '../config';
import type { WireError } from '../protocol/errors';
import type { CodecInfo, MediaKind } from '../rtp/fanout';
import type { Params } from '../types/params';

export interface WorkerData {
  index: number;
  config: EngineConfig;
  /** Where this worker's HttpPostEndpoints listen: each worker has its own server. */
  httpEndpointPort: number;
}

export type Call =
  | { op: 'create'; type: string; params: Params }
  | { op: 'invoke'; id: string; operation: string; params: unknown }
  | { op: 'release'; id: string }
  | { op: 'close' }
  /** Makes this worker hold a shard of `pipeline`, whose elements may then be placed here. */
  | { op: 'shard'; pipeline: string }
  /** Sends what element `source` publishes down `port`, a pipe to another worker. */
  | { op: 'pipeOut'; pipe: number; source: string; port: MessagePort }
  /** Makes a stand-in of `source` (of class `type`) in this worker's shard of its pipeline, fed by `port`. */
  | { op: 'pipeIn'; source: string; type: string; port: MessagePort }
  /** Closes a pipe whose far worker is gone. */
  | { op: 'unpipe'; pipe: number };

export type ToWorker = { kind: 'call'; seq: number; call: Call };

export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'reply'; seq: number; value?: unknown; error?: WireError }
  | { kind: 'registered'; id: string; type: string }
  | { kind: 'unregistered'; id: string }
  | { kind: 'event'; objectId: string; type: string; data: Record<string, unknown> };

/** Down a pipe, from a source's worker to the worker of its stand-in. */
export type PipeDown =
  /** One RTP packet, serialized, in an ArrayBuffer of its own (transferred, not copied). */
  | { t: 'rtp'; kind: MediaKind; bytes: Uint8Array }
  | { t: 'codec'; kind: MediaKind; codec: CodecInfo | undefined }
  | { t: 'end'; kind: MediaKind }
  | { t: 'data'; text?: string; binary?: Uint8Array };

/** Up a pipe: what the stand-in's sinks ask of the source. */
export type PipeUp = { t: 'keyframe'; kind: MediaKind } | { t: 'estimate'; kind: MediaKind; bps: number };
