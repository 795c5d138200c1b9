// The media objects of one thread, and the EngineContext they are built with. The main thread
// holds one for the ServerManager (and for every pipeline when the engine runs no workers);
// each media worker holds one for the pipelines placed on it.

import type { MessagePort } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { EngineConfig } from '../config';
import { buildObject } from '../elements/factory';
import { MediaElement } from '../elements/media-element';
import type { EngineContext, MediaObject } from '../elements/media-object';
import { MediaPipeline } from '../elements/media-pipeline';
import { HttpEndpointServer } from '../media/http-endpoint-server';
import { KmsError } from '../protocol/errors';
import type { TypeRegistry } from '../types/kmd';
import type { Params } from '../types/params';
import type { ObjectHome, ObjectHooks } from './object-home';
import { PipeOut } from './pipe-out';
import { PipeSource } from './pipe-source';
import { pipelineOf } from './pipes';

export class LocalObjects implements EngineContext, ObjectHome {
  readonly httpEndpoints: HttpEndpointServer;
  private readonly objects = new Map<string, MediaObject>();
  /** The pipes this thread's sources send down, by the number the main thread gave them. */
  private readonly pipes = new Map<number, PipeOut>();

  constructor(
    readonly registry: TypeRegistry,
    readonly config: EngineConfig,
    readonly log: Logger,
    private readonly hooks: ObjectHooks,
    httpEndpointPort = config.httpEndpointPort,
  ) {
    this.httpEndpoints = new HttpEndpointServer(config.host, httpEndpointPort, log.child({ component: 'http-endpoints' }));
  }

  // ---- EngineContext ----------------------------------------------------------------------

  // NOTE: a mirror is known here by the id of what it stands in for; the directory knows that
  // object in its own worker, and must not hear of the mirror.
  register(object: MediaObject): void {
    this.objects.set(object.id, object);
    if (!object.mirror) this.hooks.registered(object.id, object.type);
  }

  unregister(object: MediaObject): void {
    if (this.objects.get(object.id) === object) this.objects.delete(object.id);
    if (!object.mirror) this.hooks.unregistered(object.id);
  }

  lookup(id: string): MediaObject | undefined {
    return this.objects.get(id);
  }

  deliver(object: MediaObject, type: string, data: Record<string, unknown>): void {
    this.hooks.event(object.id, type, data);
  }

  // ---- ObjectHome -------------------------------------------------------------------------

  async create(type: string, params: Params): Promise<string> {
    return buildObject(this, type, params, (id, expected) => {
      const found = this.mustFind(id);
      if (!this.registry.isA(found.type, expected)) {
        throw new KmsError('MEDIA_OBJECT_CAST_ERROR', `Object '${found.id}' is a ${found.type}, not a ${expected}`);
      }
      return found;
    }).id;
  }

  async invoke(id: string, operation: string, params: unknown): Promise<unknown> {
    return this.mustFind(id).invoke(operation, params);
  }

  async release(id: string): Promise<void> {
    await this.objects.get(id)?.release();
  }

  // ---- pipes between workers --------------------------------------------------------------

  /** Holds a shard of `pipeline` here (once): elements placed here are built in it. */
  shard(pipeline: string): void {
    if (this.objects.has(pipeline)) return;
    new MediaPipeline(this, pipeline).attach();
  }

  /** Sends what `source` publishes down `port`, until the source or the pipe goes. */
  pipeOut(pipe: number, source: string, port: MessagePort): void {
    const element = this.mustFind(source);
    if (!(element instanceof MediaElement)) {
      port.close();
      throw new KmsError('MEDIA_OBJECT_CAST_ERROR', `Object '${source}' is a ${element.type}, not a MediaElement`);
    }
    this.pipes.set(pipe, new PipeOut(element, port, () => this.pipes.delete(pipe)));
  }

  /** Builds the stand-in of `source` in this worker's shard of its pipeline, fed by `port`. */
  pipeIn(source: string, type: string, port: MessagePort): void {
    const shard = this.objects.get(pipelineOf(source));
    if (!shard?.mirror || this.objects.has(source)) {
      port.close();
      throw new KmsError('UNEXPECTED_ERROR', `No place for a stand-in of '${source}' in this worker`);
    }
    new PipeSource(this, shard, source, type, port).attach();
  }

  /** Closes a pipe whose far end is gone. */
  unpipe(pipe: number): void {
    this.pipes.get(pipe)?.close();
  }

  async close(): Promise<void> {
    // NOTE: the ServerManager is never released: it answers for the server as long as it runs.
    const roots = [...this.objects.values()].filter((o) => !o.parent && o.type !== 'ServerManager');
    await Promise.allSettled(roots.map((o) => o.release()));
    await this.httpEndpoints.close();
  }

  private mustFind(id: unknown): MediaObject {
    const object = typeof id === 'string' ? this.objects.get(id) : undefined;
    if (!object) throw new KmsError('MEDIA_OBJECT_NOT_FOUND', `Object '${String(id)}' not found`);
    return object;
  }
}
