// Where media objects live, seen from the Kurento Protocol: a table of objects in one thread
// (LocalObjects) or a media worker thread holding its own (MediaWorker). The protocol layer
// keeps a directory of ids and sends each request to the home that holds the object; homes
// tell it, through ObjectHooks, what they registered, released and raised.

import type { Params } from '../types/params';

export interface ObjectHome {
  /** Builds an object from checked constructor parameters; its id. */
  create(type: string, params: Params): Promise<string>;
  invoke(id: string, operation: string, params: unknown): Promise<unknown>;
  /** Releases an object and its children; an id already gone is no error, as in KMS. */
  release(id: string): Promise<void>;
  /** Releases everything it holds, and stops. */
  close(): Promise<void>;
}

export interface ObjectHooks {
  registered(id: string, type: string): void;
  unregistered(id: string): void;
  event(objectId: string, type: string, data: Record<string, unknown>): void;
}
