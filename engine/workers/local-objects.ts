// The media objects of one thread, and the EngineContext they are built with. The main thread
// holds one for the ServerManager (and for every pipeline when the engine runs no workers);
// each media worker holds one for the pipelines placed on it.

import type { Logger } from 'pino';
import type { EngineConfig } from '../config';
import { buildObject } from '../elements/factory';
import type { EngineContext, MediaObject } from '../elements/media-object';
import { HttpEndpointServer } from '../media/http-endpoint-server';
import { KmsError } from '../protocol/errors';
import type { TypeRegistry } from '../types/kmd';
import type { Params } from '../types/params';
import type { ObjectHome, ObjectHooks } from './object-home';

export class LocalObjects implements EngineContext, ObjectHome {
  readonly httpEndpoints: HttpEndpointServer;
  private readonly objects = new Map<string, MediaObject>();

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

  register(object: MediaObject): void {
    this.objects.set(object.id, object);
    this.hooks.registered(object.id, object.type);
  }

  unregister(object: MediaObject): void {
    this.objects.delete(object.id);
    this.hooks.unregistered(object.id);
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
