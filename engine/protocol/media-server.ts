// The media server's state and the Kurento Protocol methods on it: the object table,
// subscriptions, sessions, and `create`/`invoke`/`subscribe`/.../`transaction`. It knows
// nothing of WebSockets: the transport hands it a session and a request, and a Peer to
// deliver events to.

import { HttpEndpointServer } from '../media/http-endpoint-server';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EngineConfig } from '../config';
import { buildObject } from '../elements/factory';
import type { EngineContext, MediaObject } from '../elements/media-object';
import { ServerManager } from '../elements/server-manager';
import type { TypeRegistry } from '../types/kmd';
import { checkParams, type Params } from '../types/params';
import { ErrorCode, JsonRpcError, KmsError, toWireError, type WireError } from './errors';
import { RequestCache } from './request-cache';
import { MAX_SESSION_ID_LENGTH, SessionRegistry, type Peer, type Session } from './sessions';

interface Subscription {
  id: string;
  session: Session;
  objectId: string;
  type: string;
}

export type RequestId = number | string | null;
export type Result = { value?: unknown; sessionId?: string } & Record<string, unknown>;
export interface Response {
  jsonrpc: '2.0';
  id: RequestId;
  result?: Result;
  error?: WireError;
}

/** Where the events of a session with no socket go: nowhere, until it resumes. */
const NO_PEER: Peer = { send: () => undefined };

export class MediaServer implements EngineContext {
  readonly registry: TypeRegistry;
  readonly config: EngineConfig;
  readonly log: Logger;
  readonly sessions: SessionRegistry;
  private readonly objects = new Map<string, MediaObject>();
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly serverManager: ServerManager;
  private readonly cache = new RequestCache();
  readonly httpEndpoints: HttpEndpointServer;
  /** Names this run of the server; kurento-client compares it on reconnect to tell a restart. */
  readonly serverId = randomUUID();

  constructor(registry: TypeRegistry, config: EngineConfig, log: Logger) {
    this.registry = registry;
    this.config = config;
    this.log = log;
    this.httpEndpoints = new HttpEndpointServer(config.host, config.httpEndpointPort, log.child({ component: 'http-endpoints' }));
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

  /**
   * Runs one request and builds its JSON-RPC response, as KMS's JsonRpc::Handler and
   * ServerMethods do: results carry the sessionId they ran in, errors carry KMS's codes, and
   * a request repeated within 20 s gets the response it had the first time.
   */
  async respond(peer: Peer, id: RequestId, method: string, params: Params): Promise<Response> {
    const { sessionId } = params;
    if (sessionId !== undefined && (typeof sessionId !== 'string' || sessionId.length > MAX_SESSION_ID_LENGTH)) {
      const error = new KmsError(
        'INVALID_SESSION',
        `Invalid session: a session id is a string of at most ${MAX_SESSION_ID_LENGTH} characters`,
      );
      return { jsonrpc: '2.0', id, error: toWireError(error) };
    }
    const cached = this.cache.get(params.sessionId, id) as Response | undefined;
    if (cached) return cached;
    let response: Response;
    try {
      response = { jsonrpc: '2.0', id, result: await this.run(peer, method, params) };
    } catch (err) {
      if (!(err instanceof KmsError) && !(err instanceof JsonRpcError))
        this.log.warn({ err, method }, 'request failed unexpectedly');
      response = { jsonrpc: '2.0', id, error: toWireError(err) };
    }
    this.cache.put(response.result?.sessionId ?? params.sessionId, id, response);
    return response;
  }

  private async run(peer: Peer, method: string, params: Params): Promise<Result> {
    const given = typeof params.sessionId === 'string' && params.sessionId !== '' ? params.sessionId : undefined;
    switch (method) {
      // NOTE: a ping names the session it was sent in, if any, and never starts one.
      case 'ping':
        return given ? { sessionId: given, value: 'pong' } : { value: 'pong' };
      case 'connect':
        return { sessionId: this.connect(given, peer), serverId: this.serverId };
      case 'keepAlive': {
        const session = given ? this.sessions.get(given) : undefined;
        if (!session) throw new KmsError('INVALID_SESSION', 'Invalid session');
        this.sessions.bind(session, peer);
        return { sessionId: session.id };
      }
      case 'create':
      case 'invoke':
      case 'subscribe':
      case 'unsubscribe':
      case 'release':
      case 'describe':
      case 'transaction':
        return this.runInSession(this.sessions.obtain(given ?? randomUUID(), peer), method, params);
      default:
        throw new JsonRpcError(ErrorCode.METHOD_NOT_FOUND, 'Method not found.');
    }
  }

  private async runInSession(session: Session, method: string, params: Params): Promise<Result> {
    const sessionId = session.id;
    switch (method) {
      case 'create':
        return { value: this.create(session, params), sessionId };
      case 'invoke': {
        const object = this.mustFind(params.object);
        const value = await object.invoke(requireString(params.operation, 'operation'), params.operationParams ?? {});
        // NOTE: KMS answers `value: null` for operations that return nothing.
        return { value: value ?? null, sessionId };
      }
      case 'subscribe':
        return { value: this.subscribe(session, this.mustFind(params.object), requireString(params.type, 'type')), sessionId };
      case 'unsubscribe': {
        const sub = this.subscriptions.get(requireString(params.subscription, 'subscription'));
        if (sub && sub.session === session) this.subscriptions.delete(sub.id);
        return { sessionId };
      }
      case 'release': {
        // NOTE: as KMS's MediaSet::release does, releasing what is already gone succeeds.
        // The ServerManager belongs to no session, and outlives every request to release it.
        const object = typeof params.object === 'string' ? this.objects.get(params.object) : undefined;
        if (object !== this.serverManager) await object?.release();
        return { sessionId };
      }
      case 'describe': {
        const object = this.mustFind(params.object);
        return {
          sessionId,
          type: object.type,
          qualifiedType: this.registry.getClass(object.type)?.qualifiedName ?? object.type,
          hierarchy: this.registry.hierarchy(object.type),
        };
      }
      default:
        return { value: await this.transaction(session, params), sessionId };
    }
  }

  /** `connect` opens a session, or resumes one after its socket dropped (unknown: INVALID_SESSION). */
  private connect(sessionId: string | undefined, peer: Peer): string {
    if (sessionId === undefined) return randomUUID();
    const session = this.sessions.get(sessionId);
    if (!session) throw new KmsError('INVALID_SESSION', 'Invalid session');
    this.sessions.bind(session, peer);
    this.log.info({ session: session.id }, 'session resumed');
    return session.id;
  }

  private create(session: Session, params: Params): string {
    const type = requireString(params.type, 'type');
    const info = this.registry.getClass(type);
    if (!info) throw new KmsError('MEDIA_OBJECT_NOT_AVAILABLE', `Factory '${type}' not found`);
    const ctorParams = checkParams(this.registry, info.constructorParams, (params.constructorParams ?? {}) as Params);
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
      throw new KmsError('MEDIA_OBJECT_EVENT_NOT_SUPPORTED', `Event '${type}' not supported`);
    }
    // NOTE: one subscription per session, object and event type: a client that subscribes
    // again gets the one it has, so a flood of subscribes cannot make each event cost more.
    for (const sub of this.subscriptions.values()) {
      if (sub.session === session && sub.objectId === object.id && sub.type === type) return sub.id;
    }
    const id = randomUUID();
    this.subscriptions.set(id, { id, session, objectId: object.id, type });
    return id;
  }

  /**
   * Runs a batch in order, as KMS does: operation i must have id i, its result is the full
   * JSON-RPC response, `newref:<i>` names the value of response i, and the batch stops at
   * the first operation that fails. kurento-client sends these on its own for requests
   * issued in the same tick.
   */
  private async transaction(session: Session, params: Params): Promise<Response[]> {
    const operations = params.operations;
    if (!Array.isArray(operations)) throw new KmsError('MARSHALL_ERROR', "'operations' must be an array");
    const responses: Response[] = [];
    for (const [index, op] of operations.entries()) {
      const request = (op ?? {}) as { id?: unknown; method?: unknown; params?: unknown };
      if (request.id !== index && request.id !== String(index)) {
        throw new KmsError('MALFORMED_TRANSACTION', `Id of request '${index}' should be '${index}'`);
      }
      const opParams = withRefs(request.params ?? {}, responses) as Params;
      opParams.sessionId = session.id;
      let response: Response;
      try {
        const method = requireString(request.method, 'method');
        response = { jsonrpc: '2.0', id: index, result: await this.run(session.peer ?? NO_PEER, method, opParams) };
      } catch (err) {
        response = { jsonrpc: '2.0', id: index, error: toWireError(err) };
      }
      responses.push(response);
      if (response.error) break;
    }
    return responses;
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
    this.cache.clear();
    const roots = [...this.objects.values()].filter((o) => !o.parent && o !== this.serverManager);
    await Promise.allSettled(roots.map((o) => o.release()));
    this.subscriptions.clear();
    await this.httpEndpoints.close();
  }
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new KmsError('MARSHALL_ERROR', `'${name}' must be a non-empty string`);
  return value;
}

/** Replaces every `newref:<i>` string, at any depth, by the value of response i. */
function withRefs(params: unknown, responses: Response[]): unknown {
  if (typeof params === 'string') {
    if (!params.startsWith('newref:') || params.length === 'newref:'.length) return params;
    const ref = params.slice('newref:'.length);
    if (!/^\d+$/.test(ref)) throw new KmsError('MALFORMED_TRANSACTION', `Invalid index of newref '${ref}'`);
    const value = responses[Number(ref)]?.result?.value;
    if (value === undefined) throw new KmsError('MALFORMED_TRANSACTION', `Result not found on request ${ref}`);
    return value;
  }
  if (Array.isArray(params)) return params.map((p) => withRefs(p, responses));
  if (params && typeof params === 'object') {
    return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, withRefs(v, responses)]));
  }
  return params;
}
