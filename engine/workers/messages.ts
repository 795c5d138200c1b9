// What the main thread and a media worker say to each other. Everything crosses by structured
// clone; errors cross as the wire errors they will become, so a KMS code raised in a worker
// reaches the client unchanged.

import type { EngineConfig } from '../config';
import type { WireError } from '../protocol/errors';
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
  | { op: 'close' };

export type ToWorker = { kind: 'call'; seq: number; call: Call };

export type FromWorker =
  | { kind: 'ready' }
  | { kind: 'reply'; seq: number; value?: unknown; error?: WireError }
  | { kind: 'registered'; id: string; type: string }
  | { kind: 'unregistered'; id: string }
  | { kind: 'event'; objectId: string; type: string; data: Record<string, unknown> };
