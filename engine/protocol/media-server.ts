// The media server's state and the Kurento Protocol methods on it: the object table,
// subscriptions, sessions, and `create`/`invoke`/`subscribe`/.../`transaction`. It knows
// nothing of WebSockets: the transport hands it a session and a request, and a Peer to
// deliver events to.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EngineConfig } from '../config';
import { buildObject } from '../elements/factory';
import type { EngineContext, MediaObject } from '../elements/media-object';
import { ServerManager } from '../elements/server-manager';
import type { TypeRegistry } from '../types/kmd';
import { checkParams, type Params } from '../types/params';
import { KmsError, toWireError } from './errors';
import { SessionRegistry, type Peer, type Session } from './sessions';

interface Subscription {
  id: string;
  session: Session;
  objectId: string;
  type: string;
}

export type Result = { value?: unknown; sessionId: string };

export class MediaServer implements EngineContext {
  readonly registry: TypeRegistry;
  readonly config: EngineConfig;
  readonly log: Logger;
  readonly sessions: SessionRegistry;
  private readonly objects = new Map<string, MediaObject>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly serverManager: ServerManager;

  constructor(registry: TypeRegistry, config: EngineConfig, log: Logger) {
    this.registry = registry;
    this.config = config;
    this.log = log;
    this.sessions = new SessionRegistry(config.sessionTimeoutSeconds * 1000, (s) => this.onSessionExpired(s));
    this.serverManager = new ServerManager(this, {
      pipelines: () => this.pipelineIds(),
      sessions: () => this.sessions.ids(),
    }).attach();
  }

  // ---- EngineContext ----------------------------------------------------------------------

  register(object: MediaObject): void {
    this.objects.set(object.id, object);
    if (object !== this.serverManager && this.serverManager) {
      this.serverManager.raise('ObjectCreated', { object: object.id });
    }
  }

  unregister(object: MediaObject): void {
    this.objects.delete(object.id);
    for (const [id, sub] of this.subscriptions) if (sub.objectId === object.id) this.subscriptions.delete(id);
    for (const session of this.sessions.all()) session.created.delete(object.id);
    this.serverManager.raise('ObjectDestroyed', { objectId: object.id });
  }

  lookup(id: string): MediaObject | undefined {
    return this.objects.get(id);
  }

  deliver(object: MediaObject, type: string, data: Record<string, unknown>): void {
    for (const sub of this.subscriptions.values()) {
      if (sub.objectId !== object.id || sub.type !== type) continue;
      sub.session.peer?.send({
        jsonrpc: '2.0',
        method: 'onEvent',
        params: { value: { data, object: object.id, type } },
      });
    }
  }

  // ---- protocol methods -------------------------------------------------------------------

  /** Runs one request for `session`; throws KmsError for the client to see. */
  async handle(session: Session, method: string, params: Params, refs?: string[]): Promise<Result> {
    const done = (value?: unknown): Result =>
      value === undefined ? { sessionId: session.id } : { value, sessionId: session.id };
    const ref = (id: unknown): unknown => resolveNewRef(id, refs);
    switch (method) {
      case 'ping':
        return { value: 'pong', sessionId: session.id };
      case 'create':
        return done(this.create(session, params, ref));
      case 'invoke': {
        const object = this.mustFind(ref(params.object));
        const opParams = mapRefs((params.operationParams ?? {}) as Params, ref);
        const value = await object.invoke(requireString(params.operation, 'operation'), opParams);
        return done(value === null ? null : value);
      }
      case 'subscribe':
        return done(this.subscribe(session, this.mustFind(ref(params.object)), requireString(params.type, 'type')));
      case 'unsubscribe': {
        const sub = this.subscriptions.get(requireString(params.subscription, 'subscription'));
        if (sub && sub.session === session) this.subscriptions.delete(sub.id);
        return done();
      }
      case 'release':
        await this.mustFind(ref(params.object)).release();
        return done();
      case 'describe': {
        const object = this.mustFind(params.object);
        return {
          type: object.type,
          qualifiedType: this.registry.getClass(object.type)?.qualifiedName ?? object.type,
          hierarchy: this.registry.hierarchy(object.type),
          sessionId: session.id,
        } as Result;
      }
      case 'transaction':
        return done(await this.transaction(session, params));
      default:
        throw new KmsError('MEDIA_OBJECT_METHOD_NOT_FOUND', `Unknown method '${method}'`);
    }
  }

  private create(session: Session, params: Params, ref: (id: unknown) => unknown): string {
    const type = requireString(params.type, 'type');
    const info = this.registry.getClass(type);
    if (!info) throw new KmsError('MEDIA_OBJECT_TYPE_NOT_FOUND', `Class '${type}' does not exist`);
    const ctorParams = checkParams(
      this.registry,
      info.constructorParams,
      mapRefs((params.constructorParams ?? {}) as Params, ref),
    );
    const object = buildObject(this, type, ctorParams, (id, expected) => {
      const found = this.mustFind(id);
      if (!this.registry.isA(found.type, expected)) {
        throw new KmsError('MEDIA_OBJECT_CAST_ERROR', `Object '${found.id}' is a ${found.type}, not a ${expected}`);
      }
      return found;
    });
    if (!object.parent) session.created.add(object.id);
    this.log.debug({ object: object.id, session: session.id }, 'created');
    return object.id;
  }

  private subscribe(session: Session, object: MediaObject, type: string): string {
    if (!this.registry.hasEvent(object.type, type)) {
      throw new KmsError('MEDIA_OBJECT_EVENT_NOT_SUPPORTED', `${object.type} has no event '${type}'`);
    }
    const id = randomUUID();
    this.subscriptions.set(id, { id, session, objectId: object.id, type });
    return id;
  }

  /**
   * Runs a batch in order. kurento-client sends these on its own for requests issued in the
   * same tick, and refers to objects created earlier in the batch as `newref:<index>`.
   */
  private async transaction(session: Session, params: Params): Promise<unknown[]> {
    const operations = params.operations;
    if (!Array.isArray(operations)) throw new KmsError('MARSHALL_ERROR', "'operations' must be an array");
    const refs: string[] = [];
    const results: unknown[] = [];
    for (const [index, op] of operations.entries()) {
      const request = (op ?? {}) as { method?: unknown; params?: unknown };
      try {
        const result = await this.handle(
          session,
          requireString(request.method, 'method'),
          (request.params ?? {}) as Params,
          refs,
        );
        if (request.method === 'create' && typeof result.value === 'string') refs[index] = result.value;
        results.push({ result });
      } catch (err) {
        results.push({ error: toWireError(err) });
      }
    }
    return results;
  }

  /** `connect` resumes a session after its socket dropped; an unknown id is INVALID_SESSION. */
  resume(sessionId: unknown, peer: Peer): Session {
    const session = typeof sessionId === 'string' ? this.sessions.get(sessionId) : undefined;
    if (!session) throw new KmsError('INVALID_SESSION', 'Invalid session: it expired or never existed');
    this.sessions.bind(session, peer);
    this.log.info({ session: session.id }, 'session resumed');
    return session;
  }

  private onSessionExpired(session: Session): void {
    const alive = new Set(this.sessions.all().flatMap((s) => [...s.created]));
    for (const id of session.created) {
      if (alive.has(id)) continue;
      this.log.info({ session: session.id, object: id }, "releasing an expired session's object");
      void this.objects.get(id)?.release();
    }
    for (const [id, sub] of this.subscriptions) if (sub.session === session) this.subscriptions.delete(id);
  }

  pipelineIds(): string[] {
    return [...this.objects.values()].filter((o) => o.type === 'MediaPipeline').map((o) => o.id);
  }

  private mustFind(id: unknown): MediaObject {
    const object = typeof id === 'string' ? this.objects.get(id) : undefined;
    if (!object) throw new KmsError('MEDIA_OBJECT_NOT_FOUND', `Object '${String(id)}' not found`);
    return object;
  }

  /** Releases everything; the engine is going away. */
  async close(): Promise<void> {
    this.sessions.close();
    const roots = [...this.objects.values()].filter((o) => !o.parent && o !== this.serverManager);
    await Promise.allSettled(roots.map((o) => o.release()));
    this.subscriptions.clear();
  }
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new KmsError('MARSHALL_ERROR', `'${name}' must be a non-empty string`);
  return value;
}

function resolveNewRef(id: unknown, refs: string[] | undefined): unknown {
  if (typeof id !== 'string' || !id.startsWith('newref:')) return id;
  const resolved = refs?.[Number(id.slice('newref:'.length))];
  if (!resolved) throw new KmsError('MEDIA_OBJECT_NOT_FOUND', `Reference '${id}' names no object created in this transaction`);
  return resolved;
}

function mapRefs(params: Params, ref: (id: unknown) => unknown): Params {
  const out: Params = {};
  for (const [k, v] of Object.entries(params)) out[k] = ref(v);
  return out;
}
