// The media server's state and the Kurento Protocol methods on it: the directory of objects
// (which home holds each: this thread's table, or a media worker), subscriptions, sessions, and
// `create`/`invoke`/`subscribe`/.../`transaction`. It knows nothing of WebSockets: the transport
// hands it a session and a request, and a Peer to deliver events to.

import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EngineConfig } from '../config';
import { SERVER_MANAGER_ID, ServerManager } from '../elements/server-manager';
import type { TypeRegistry } from '../types/kmd';
import { checkParams, type Params } from '../types/params';
import { LocalObjects } from '../workers/local-objects';
import { MediaWorker } from '../workers/media-worker';
import type { ObjectHome, ObjectHooks } from '../workers/object-home';
import { pipelineOf, Pipes } from '../workers/pipes';
import { ErrorCode, JsonRpcError, KmsError, toWireError, type WireError } from './errors';
import { RequestCache } from './request-cache';
import { MAX_SESSION_ID_LENGTH, SessionRegistry, type Peer, type Session } from './sessions';

interface Subscription {
  id: string;
  session: Session;
  objectId: string;
  type: string;
}

/** What the directory knows of an object: its class, and the home that holds it. */
interface Entry {
  type: string;
  home: ObjectHome;
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

export class MediaServer {
  readonly registry: TypeRegistry;
  readonly config: EngineConfig;
  readonly log: Logger;
  readonly sessions: SessionRegistry;
  private readonly directory = new Map<string, Entry>();
  private readonly subscriptions = new Map<string, Subscription>();
  /** This thread's objects: the ServerManager, and every pipeline when there are no workers. */
  private readonly local: LocalObjects;
  private readonly workers: MediaWorker[] = [];
  /** How pipelines spread over the workers: shards, and sources piped between workers. */
  private readonly pipes: Pipes;
  /** Elements (everything but pipelines) each home holds. */
  private readonly elementCount = new Map<ObjectHome, number>();
  private readonly serverManager: ServerManager;
  private readonly cache = new RequestCache();
  private closed = false;
  /** Names this run of the server; kurento-client compares it on reconnect to tell a restart. */
  readonly serverId = randomUUID();

  constructor(registry: TypeRegistry, config: EngineConfig, log: Logger) {
    this.registry = registry;
    this.config = config;
    this.log = log;
    this.pipes = new Pipes(log);
    this.sessions = new SessionRegistry(config.sessionTimeoutSeconds * 1000, (s) => this.onSessionExpired(s));
    this.local = new LocalObjects(
      registry,
      config,
      log,
      this.hooksFor(() => this.local),
    );
    this.serverManager = new ServerManager(this.local, {
      pipelines: () => this.pipelineIds(),
      sessions: () => this.sessions.ids(),
      workerLoads: () => this.workers.map((w) => ({ pipelines: this.pipelinesOn(w), elements: this.elementsOn(w) })),
    }).attach();
  }

  /** Starts the media workers the configuration asks for; pipelines go to them from then on. */
  async startWorkers(): Promise<void> {
    const started = await Promise.allSettled(Array.from({ length: this.config.workers }, (_, i) => this.startWorker(i)));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.allSettled(this.workers.map((w) => w.close()));
      throw failed.reason;
    }
  }

  /** Stops media worker `index` as a crash would: fault injection for tests. */
  killWorker(index: number): void {
    this.workers[index]?.kill();
  }

  private async startWorker(index: number): Promise<MediaWorker> {
    // NOTE: a worker says nothing of objects before its first call, which comes after start.
    const started: { worker?: MediaWorker } = {};
    const hooks = {
      ...this.hooksFor(() => started.worker!),
      lost: (lostOne: MediaWorker) => this.onWorkerLost(lostOne),
    };
    const worker = (started.worker = await MediaWorker.start(index, this.config, hooks, this.log));
    if (this.closed) {
      // A replacement that came up while the server closed: nothing will close it later.
      await worker.close();
      throw new Error('the media server closed while a worker started');
    }
    this.workers[index] = worker;
    return worker;
  }

  /** A worker that died took its pipelines with it: they are forgotten, and a new worker takes its place. */
  private onWorkerLost(worker: MediaWorker): void {
    this.pipes.workerLost(worker);
    for (const [id, entry] of this.directory) if (entry.home === worker) this.onUnregistered(id);
    this.elementCount.delete(worker);
    if (this.closed) return;
    this.startWorker(worker.index).catch((err: unknown) =>
      this.log.error({ err, worker: worker.index }, 'a media worker could not be restarted'),
    );
  }

  private hooksFor(home: () => ObjectHome): ObjectHooks {
    return {
      registered: (id, type) => this.onRegistered(id, type, home()),
      unregistered: (id) => this.onUnregistered(id),
      event: (objectId, type, data) => this.deliver(objectId, type, data),
    };
  }

  private onRegistered(id: string, type: string, home: ObjectHome): void {
    this.directory.set(id, { type, home });
    if (type !== 'MediaPipeline') this.elementCount.set(home, this.elementsOn(home) + 1);
    if (id !== SERVER_MANAGER_ID) this.serverManager.raise('ObjectCreated', { object: id });
  }

  private onUnregistered(id: string): void {
    const entry = this.directory.get(id);
    if (!entry) return;
    this.directory.delete(id);
    if (entry.type !== 'MediaPipeline') this.elementCount.set(entry.home, this.elementsOn(entry.home) - 1);
    this.pipes.forget(id);
    for (const [subId, sub] of this.subscriptions) if (sub.objectId === id) this.subscriptions.delete(subId);
    for (const session of this.sessions.all()) session.created.delete(id);
    this.serverManager.raise('ObjectDestroyed', { objectId: id });
  }

  private deliver(objectId: string, type: string, data: Record<string, unknown>): void {
    for (const sub of this.subscriptions.values()) {
      if (sub.objectId !== objectId || sub.type !== type) continue;
      sub.session.peer?.send({
        jsonrpc: '2.0',
        method: 'onEvent',
        params: { value: { data, object: objectId, type } },
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
        return { value: await this.create(session, params), sessionId };
      case 'invoke': {
        const id = requireString(params.object, 'object');
        const value = await this.invoke(id, requireString(params.operation, 'operation'), params.operationParams ?? {});
        // NOTE: KMS answers `value: null` for operations that return nothing.
        return { value: value ?? null, sessionId };
      }
      case 'subscribe':
        return { value: this.subscribe(session, params.object, requireString(params.type, 'type')), sessionId };
      case 'unsubscribe': {
        const sub = this.subscriptions.get(requireString(params.subscription, 'subscription'));
        if (sub && sub.session === session) this.subscriptions.delete(sub.id);
        return { sessionId };
      }
      case 'release': {
        // NOTE: as KMS's MediaSet::release does, releasing what is already gone succeeds.
        // The ServerManager belongs to no session, and outlives every request to release it.
        const id = typeof params.object === 'string' ? params.object : undefined;
        const entry = id === undefined ? undefined : this.directory.get(id);
        if (entry && id !== SERVER_MANAGER_ID) {
          await entry.home.release(id!);
          // Its shards and stand-ins in other workers go before the release is answered.
          await this.pipes.settled(id!);
        }
        return { sessionId };
      }
      case 'describe': {
        const { type } = this.mustFind(params.object);
        return {
          sessionId,
          type,
          qualifiedType: this.registry.getClass(type)?.qualifiedName ?? type,
          hierarchy: this.registry.hierarchy(type),
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

  /**
   * Sends an operation to the home of its object. A connection between elements in two
   * workers is made in the sink's, from a stand-in of the source piped there; the lists that
   * span workers (a source's sinks, a pipeline's children) are gathered from each.
   */
  private async invoke(id: string, operation: string, params: unknown): Promise<unknown> {
    const entry = this.mustFind(id);
    if (operation === 'connect' || operation === 'disconnect') {
      const sinkId = (params as { sink?: unknown } | null)?.sink;
      const sink = typeof sinkId === 'string' ? this.directory.get(sinkId) : undefined;
      if (sink && sink.home !== entry.home && entry.home instanceof MediaWorker && sink.home instanceof MediaWorker) {
        if (pipelineOf(id) !== pipelineOf(sinkId as string)) {
          throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'Cannot connect elements of different pipelines');
        }
        if (operation === 'connect') await this.pipes.pipe(id, entry.type, entry.home, sink.home);
        // NOTE: never piped there, never connected there: a disconnect has nothing to undo.
        else if (!this.pipes.piped(id, sink.home)) return null;
        return sink.home.invoke(id, operation, params);
      }
    }
    const far =
      operation === 'getSinkConnections'
        ? this.pipes.farWorkers(id)
        : operation === 'getChildren' || operation === 'getChilds'
          ? this.pipes.shardWorkers(id)
          : [];
    if (far.length === 0) return entry.home.invoke(id, operation, params);
    const parts = await Promise.all([entry.home, ...far].map((home) => home.invoke(id, operation, params)));
    return parts.flat();
  }

  private async create(session: Session, params: Params): Promise<string> {
    const type = requireString(params.type, 'type');
    const info = this.registry.getClass(type);
    if (!info) throw new KmsError('MEDIA_OBJECT_NOT_AVAILABLE', `Factory '${type}' not found`);
    const ctorParams = checkParams(this.registry, info.constructorParams, (params.constructorParams ?? {}) as Params);
    const id = await (await this.homeFor(info.name, ctorParams)).create(type, ctorParams);
    // A pipeline (an object with no parent) belongs to the session that made it.
    if (!id.includes('/')) session.created.add(id);
    this.log.debug({ object: id, session: session.id }, 'created');
    return id;
  }

  /**
   * Where a new object goes: a pipeline to the worker with the fewest pipelines; anything else
   * to the home of the object it is built in (its pipeline, its hub), except that a pipeline
   * spills (see placeInPipeline). An id nobody holds goes to this thread, whose table refuses
   * it in KMS's words.
   */
  private async homeFor(className: string, ctorParams: Params): Promise<ObjectHome> {
    if (className === 'MediaPipeline') {
      // NOTE: a worker that died is being replaced; until then the others take its share.
      const [first, ...rest] = this.workers.filter((w) => w.alive);
      if (!first) return this.local;
      return rest.reduce((best, w) => (this.pipelinesOn(w) < this.pipelinesOn(best) ? w : best), first);
    }
    for (const value of Object.values(ctorParams)) {
      const entry = typeof value === 'string' ? this.directory.get(value) : undefined;
      if (!entry) continue;
      if (entry.type === 'MediaPipeline' && entry.home instanceof MediaWorker) {
        return this.placeInPipeline(value as string, entry.home);
      }
      return entry.home;
    }
    return this.local;
  }

  /**
   * A pipeline's elements stay on its worker until it holds `pipeAfter` of them there, so a
   * call keeps its packets in one thread. A bigger one (a broadcast's viewers) spills: each
   * further element goes to the live worker with the fewest elements, which holds a shard of
   * the pipeline, and its sources are piped there when connected.
   */
  private async placeInPipeline(pipeline: string, home: MediaWorker): Promise<ObjectHome> {
    const { pipeAfter } = this.config;
    if (pipeAfter === 0 || this.elementsOn(home) < pipeAfter || this.elementsOn(home, pipeline) < pipeAfter) return home;
    const least = this.workers
      .filter((w) => w.alive)
      .reduce((best, w) => (this.elementsOn(w) < this.elementsOn(best) ? w : best), home);
    if (least !== home) await this.pipes.shardOn(pipeline, least);
    return least;
  }

  /** The elements `home` holds: all of them, or those of one pipeline (a scan, done only when it matters). */
  private elementsOn(home: ObjectHome, pipeline?: string): number {
    if (pipeline === undefined) return this.elementCount.get(home) ?? 0;
    let n = 0;
    for (const [id, entry] of this.directory) if (entry.home === home && pipelineOf(id) === pipeline && id !== pipeline) n++;
    return n;
  }

  private pipelinesOn(home: ObjectHome): number {
    let n = 0;
    for (const entry of this.directory.values()) if (entry.home === home && entry.type === 'MediaPipeline') n++;
    return n;
  }

  private subscribe(session: Session, objectId: unknown, type: string): string {
    const { type: objectType } = this.mustFind(objectId);
    if (!this.registry.hasEvent(objectType, type)) {
      throw new KmsError('MEDIA_OBJECT_EVENT_NOT_SUPPORTED', `Event '${type}' not supported`);
    }
    // NOTE: one subscription per session, object and event type: a client that subscribes
    // again gets the one it has, so a flood of subscribes cannot make each event cost more.
    for (const sub of this.subscriptions.values()) {
      if (sub.session === session && sub.objectId === objectId && sub.type === type) return sub.id;
    }
    const id = randomUUID();
    this.subscriptions.set(id, { id, session, objectId: objectId as string, type });
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
      this.directory
        .get(id)
        ?.home.release(id)
        .catch((err: unknown) => this.log.warn({ err, object: id }, 'release failed'));
    }
    for (const [id, sub] of this.subscriptions) if (sub.session === session) this.subscriptions.delete(id);
  }

  pipelineIds(): string[] {
    return [...this.directory].filter(([, e]) => e.type === 'MediaPipeline').map(([id]) => id);
  }

  private mustFind(id: unknown): Entry {
    const entry = typeof id === 'string' ? this.directory.get(id) : undefined;
    if (!entry) throw new KmsError('MEDIA_OBJECT_NOT_FOUND', `Object '${String(id)}' not found`);
    return entry;
  }

  /** Releases everything; the engine is going away. */
  async close(): Promise<void> {
    this.sessions.close();
    this.cache.clear();
    this.closed = true;
    await Promise.allSettled([this.local.close(), ...this.workers.map((w) => w.close())]);
    this.subscriptions.clear();
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
