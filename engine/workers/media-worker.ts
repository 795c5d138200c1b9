// The main thread's handle on one media worker thread (media-worker-main.ts): calls go out
// numbered, replies come back to the promise that waits for them, and what the worker
// registers, releases and raises goes to the hooks. A worker that dies fails its pending
// calls and is reported lost, so the directory can forget what it held.

import { join, resolve } from 'node:path';
import { Worker, type MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { EngineConfig } from '../config';
import { ErrorCode, JsonRpcError, KmsError, type ErrorCodeName, type WireError } from '../protocol/errors';
import type { Params } from '../types/params';
import type { Call, FromWorker, ToWorker, WorkerData } from './messages';
import type { ObjectHome, ObjectHooks } from './object-home';

export interface WorkerHooks extends ObjectHooks {
  /** The worker stopped on its own (a crash): everything it held is gone. */
  lost(worker: MediaWorker): void;
}

/** How long a closing worker may take to release its objects before it is terminated. */
const CLOSE_TIMEOUT_MS = 10_000;

export class MediaWorker implements ObjectHome {
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  private seq = 0;
  private stopping = false;
  private exited = false;

  private constructor(
    readonly index: number,
    private readonly worker: Worker,
  ) {}

  static start(index: number, config: EngineConfig, hooks: WorkerHooks, log: Logger): Promise<MediaWorker> {
    // NOTE: a fixed HttpEndpoint port cannot be shared by threads; worker i takes port + i.
    const httpEndpointPort = config.httpEndpointPort === 0 ? 0 : config.httpEndpointPort + index;
    // The helper limit is the machine's: each of the workers gets its share.
    const helpers = { ...config.helpers, maxHelpers: Math.ceil(config.helpers.maxHelpers / Math.max(1, config.workers)) };
    // The worker logs at the level of the logger it was started with (tests run silent).
    const data: WorkerData = { index, config: { ...config, helpers, logLevel: log.level }, httpEndpointPort };
    const worker = new Worker(workerScript(), { workerData: data });
    const handle = new MediaWorker(index, worker);
    return new Promise((ready, failed) => {
      let started = false;
      worker.on('message', (message: FromWorker) => {
        if (message.kind === 'ready') {
          started = true;
          ready(handle);
        } else handle.onMessage(message, hooks);
      });
      worker.on('error', (err) => log.error({ err, worker: index }, 'media worker failed'));
      worker.on('exit', (code) => {
        handle.exited = true;
        handle.failPending(`the media worker stopped (exit code ${code})`);
        if (!started) failed(new Error(`media worker ${index} stopped before it was ready (exit code ${code})`));
        else if (!handle.stopping) {
          log.error({ worker: index, code }, 'media worker stopped; its pipelines are gone');
          hooks.lost(handle);
        }
      });
    });
  }

  /** False once the thread has stopped, for whatever reason: it takes no more calls. */
  get alive(): boolean {
    return !this.exited && !this.stopping;
  }

  create(type: string, params: Params): Promise<string> {
    return this.call({ op: 'create', type, params }) as Promise<string>;
  }

  invoke(id: string, operation: string, params: unknown): Promise<unknown> {
    return this.call({ op: 'invoke', id, operation, params });
  }

  async release(id: string): Promise<void> {
    await this.call({ op: 'release', id });
  }

  async close(): Promise<void> {
    if (this.stopping) return;
    const released = this.call({ op: 'close' });
    this.stopping = true;
    const timer = setTimeout(() => void this.worker.terminate(), CLOSE_TIMEOUT_MS);
    await released.catch(() => undefined);
    clearTimeout(timer);
    await this.worker.terminate();
  }

  /** Makes this worker hold a shard of `pipeline`, so elements of it can be placed here. */
  async shard(pipeline: string): Promise<void> {
    await this.call({ op: 'shard', pipeline });
  }

  /** Sends what `source` (an element in this worker) publishes down `port`. */
  async pipeOut(pipe: number, source: string, port: MessagePort): Promise<void> {
    await this.call({ op: 'pipeOut', pipe, source, port }, [port]);
  }

  /** Builds a stand-in of `source` in this worker's shard of its pipeline, fed by `port`. */
  async pipeIn(source: string, type: string, port: MessagePort): Promise<void> {
    await this.call({ op: 'pipeIn', source, type, port }, [port]);
  }

  async unpipe(pipe: number): Promise<void> {
    await this.call({ op: 'unpipe', pipe });
  }

  /** Stops the thread at once, as a crash would (nothing released): fault injection for tests. */
  kill(): void {
    void this.worker.terminate();
  }

  private call(call: Call, transfer: MessagePort[] = []): Promise<unknown> {
    if (!this.alive) return Promise.reject(new KmsError('UNEXPECTED_ERROR', 'The media worker has stopped'));
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      const message: ToWorker = { kind: 'call', seq, call };
      try {
        this.worker.postMessage(message, transfer);
      } catch (err) {
        // A parameter that cannot be cloned: checked params are plain JSON, so this is a bug.
        this.pending.delete(seq);
        reject(err as Error);
      }
    });
  }

  private onMessage(message: FromWorker, hooks: ObjectHooks): void {
    switch (message.kind) {
      case 'reply': {
        const waiter = this.pending.get(message.seq);
        this.pending.delete(message.seq);
        if (message.error) waiter?.reject(fromWire(message.error));
        else waiter?.resolve(message.value);
        break;
      }
      case 'registered':
        hooks.registered(message.id, message.type);
        break;
      case 'unregistered':
        hooks.unregistered(message.id);
        break;
      case 'event':
        hooks.event(message.objectId, message.type, message.data);
        break;
    }
  }

  private failPending(why: string): void {
    for (const waiter of this.pending.values()) waiter.reject(new KmsError('UNEXPECTED_ERROR', why));
    this.pending.clear();
  }
}

/** The worker's script: beside this file once compiled; the build's copy when run from sources. */
function workerScript(): string {
  return __filename.endsWith('.js')
    ? join(__dirname, 'media-worker-main.js')
    : resolve(__dirname, '../../dist/engine/workers/media-worker-main.js');
}

/** A worker's wire error as the error the protocol layer would have caught in-thread. */
function fromWire(error: WireError): Error {
  const type = error.data?.type;
  if (type !== undefined && type in ErrorCode) return new KmsError(type as ErrorCodeName, error.message);
  return new JsonRpcError(error.code, error.message);
}
