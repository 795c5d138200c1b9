// The base of every object the media server hands out: identity, tags, children, the
// operation table that `invoke` dispatches through, events, and release. A parent owns its
// children: releasing it releases them first, and a released child leaves its parent.

import type { HttpEndpointServer } from '../media/http-endpoint-server';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { EngineConfig } from '../config';
import { KmsError } from '../protocol/errors';
import type { TypeRegistry } from '../types/kmd';
import { checkParams, type Params } from '../types/params';

export type OperationHandler = (params: Params) => unknown;

/** What an object needs from the engine around it; handed down, never reached up for. */
export interface EngineContext {
  readonly registry: TypeRegistry;
  readonly config: EngineConfig;
  readonly log: Logger;
  /** Where HttpPostEndpoints take their uploads. */
  readonly httpEndpoints: HttpEndpointServer;
  register(object: MediaObject): void;
  unregister(object: MediaObject): void;
  lookup(id: string): MediaObject | undefined;
  /** Delivers an event to the sessions subscribed to it. */
  deliver(object: MediaObject, type: string, data: Record<string, unknown>): void;
}

export abstract class MediaObject {
  readonly id: string;
  readonly type: string;
  readonly parent: MediaObject | undefined;
  readonly creationTime = Math.floor(Date.now() / 1000);
  name: string;
  sendTagsInEvents = false;
  protected readonly ctx: EngineContext;
  protected readonly log: Logger;
  private readonly children = new Set<MediaObject>();
  private readonly tags = new Map<string, string>();
  private readonly operations = new Map<string, OperationHandler>();
  private releasing: Promise<void> | undefined;
  private attached = false;

  protected constructor(ctx: EngineContext, type: string, parent?: MediaObject, fixedId?: string) {
    this.ctx = ctx;
    this.type = type;
    this.parent = parent;
    const own = `${randomUUID()}_kurento.${type}`;
    this.id = fixedId ?? (parent ? `${parent.id}/${own}` : own);
    this.name = this.id;
    this.log = ctx.log.child({ object: this.id });
    this.registerBaseOperations();
  }

  /**
   * Makes a fully built object known to its parent and the engine. Called by whoever built it,
   * after the constructor returned: a constructor that throws (a refused parameter, no
   * GStreamer) must leave nothing half-built behind in the pipeline.
   */
  attach(): this {
    this.parent?.children.add(this);
    this.ctx.register(this);
    this.attached = true;
    return this;
  }

  /** The engine this object lives in, for the parts it builds (a format stage). */
  get context(): EngineContext {
    return this.ctx;
  }

  get released(): boolean {
    return this.releasing !== undefined;
  }

  /** The pipeline this object lives in (a pipeline is its own). */
  abstract get mediaPipeline(): MediaObject | undefined;

  /**
   * A stand-in, in another media worker, for an object that lives elsewhere (a pipeline's
   * shard, a piped source): its home knows it by its id, clients and the directory never do.
   */
  get mirror(): boolean {
    return false;
  }

  getChildren(): MediaObject[] {
    return [...this.children];
  }

  protected handle(operation: string, handler: OperationHandler): void {
    this.operations.set(operation, handler);
  }

  /** Dispatches an operation: implemented, declared-but-unsupported, or unknown. */
  async invoke(operation: string, params: unknown): Promise<unknown> {
    const declared = this.ctx.registry.findOperation(this.type, operation);
    const handler = this.operations.get(operation);
    if (!declared && !handler) {
      // NOTE: the code and words of KMS's generated invoke(), which applications may match.
      const count = params && typeof params === 'object' ? Object.keys(params).length : 0;
      throw new KmsError('MALFORMED_TRANSACTION', `Method '${operation}' with ${count} parameters not found`);
    }
    if (!handler) {
      throw new KmsError(
        'NOT_IMPLEMENTED',
        `${this.type}.${operation} is not supported by the embedded media server; use a real KMS for it`,
      );
    }
    const checked = declared ? checkParams(this.ctx.registry, declared.params ?? [], params) : ((params ?? {}) as Params);
    return handler(checked);
  }

  /** Raises a KMS event, shaped as KMS shapes it (source, tags, timestamps, type). */
  raise(type: string, data: Record<string, unknown> = {}): void {
    if (this.released) return;
    const now = Date.now();
    const payload = {
      ...data,
      source: this.id,
      tags: this.sendTagsInEvents ? this.tagList() : [],
      // NOTE: KMS 7 dropped the seconds `timestamp` of KMS 6; events carry milliseconds only.
      timestampMillis: String(now),
      type,
    };
    this.ctx.deliver(this, type, payload);
  }

  /** Releases the children, then this object's own resources. Safe to call twice. */
  release(): Promise<void> {
    this.releasing ??= (async () => {
      await Promise.allSettled([...this.children].map((c) => c.release()));
      try {
        await this.dispose();
      } catch (err) {
        this.log.warn({ err }, 'release of an object failed; it is dropped anyway');
      }
      this.parent?.children.delete(this);
      // An internal part (a format stage) was never known to the engine or to clients.
      if (this.attached) this.ctx.unregister(this);
    })();
    return this.releasing;
  }

  /** Subclasses free sockets, processes and timers here. */
  protected async dispose(): Promise<void> {}

  /** Resolves an object id argument and checks its class. */
  protected resolve<T extends MediaObject>(id: unknown, expected: string): T {
    const object = typeof id === 'string' ? this.ctx.lookup(id) : undefined;
    if (!object) throw new KmsError('MEDIA_OBJECT_NOT_FOUND', `Object '${String(id)}' not found`);
    if (!this.ctx.registry.isA(object.type, expected)) {
      throw new KmsError('MEDIA_OBJECT_CAST_ERROR', `Object '${object.id}' is a ${object.type}, not a ${expected}`);
    }
    return object as T;
  }

  /** The children a client may know of: not the stand-ins of piped sources. */
  private ownChildIds(): string[] {
    return this.getChildren()
      .filter((c) => !c.mirror)
      .map((c) => c.id);
  }

  private tagList(): { key: string; value: string }[] {
    return [...this.tags].map(([key, value]) => ({ key, value, __module__: 'kurento', __type__: 'Tag' }));
  }

  private registerBaseOperations(): void {
    this.handle('getId', () => this.id);
    this.handle('getName', () => this.name);
    this.handle('setName', (p) => {
      this.name = p.name as string;
    });
    this.handle('getMediaPipeline', () => this.mediaPipeline?.id ?? null);
    this.handle('getParent', () => this.parent?.id ?? null);
    this.handle('getChildren', () => this.ownChildIds());
    this.handle('getChilds', () => this.ownChildIds());
    this.handle('getCreationTime', () => this.creationTime);
    this.handle('getSendTagsInEvents', () => this.sendTagsInEvents);
    this.handle('setSendTagsInEvents', (p) => {
      this.sendTagsInEvents = p.sendTagsInEvents as boolean;
    });
    this.handle('addTag', (p) => {
      this.tags.set(p.key as string, p.value as string);
    });
    this.handle('removeTag', (p) => {
      this.tags.delete(p.key as string);
    });
    this.handle('getTag', (p) => {
      const value = this.tags.get(p.key as string);
      if (value === undefined) throw new KmsError('MEDIA_OBJECT_TAG_KEY_NOT_FOUND', `Tag key not found: '${String(p.key)}'`);
      return value;
    });
    this.handle('getTags', () => this.tagList());
  }
}
