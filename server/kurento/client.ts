// The typed face of kurento-client: the only module that touches its untyped API. Demos
// use MediaServerConnection, Pipeline and WebRtcEndpoint from here and never see `any`.
//
// NOTE: kurento-client's promise API swallows errors: a method called without a callback
// gets a default callback that logs the error and resolves with undefined. Every call here
// passes its own callback, so failures reject as they should.

import { EventEmitter } from 'node:events';
import type { Logger } from '../logging';
import { maskUrl } from '../config';
import { reportObjectError, routeKurentoClientOutput } from './client-output';

/* eslint-disable @typescript-eslint/no-require-imports */
const kurento = require('kurento-client') as KurentoModule;
/* eslint-enable @typescript-eslint/no-require-imports */
// kms-chroma's ChromaFilter is an add-on module: its types must be registered before use.
kurento.register('kurento-module-chroma');

type Callback<T> = (error: Error | null | undefined, result: T) => void;

interface RawObject extends EventEmitter {
  id: string;
  release(cb: Callback<void>): void;
  addTag(key: string, value: string, cb: Callback<void>): void;
  getTags(cb: Callback<{ key: string; value: string }[]>): void;
}

interface RawPipeline extends RawObject {
  create(type: string, params: Record<string, unknown>, cb: Callback<RawObject>): void;
  getChildren(cb: Callback<RawObject[]>): void;
}

interface RawConnection {
  source: RawObject | string;
  sink: RawObject | string;
  type: string;
}

/** What any element answers, whatever its class: enough to draw it in a pipeline view. */
interface RawInspectable extends RawObject {
  getSinkConnections(cb: Callback<RawConnection[]>): void;
  isMediaFlowingIn(mediaType: string, cb: Callback<boolean>): void;
  isMediaFlowingOut(mediaType: string, cb: Callback<boolean>): void;
  getStats(mediaType: string, cb: Callback<Record<string, KmsStats>>): void;
}

interface RawWebRtc extends RawElement {
  processOffer(offer: string, cb: Callback<string>): void;
  generateOffer(cb: Callback<string>): void;
  processAnswer(answer: string, cb: Callback<string>): void;
  gatherCandidates(cb: Callback<void>): void;
  addIceCandidate(candidate: unknown, cb: Callback<void>): void;
  disconnect(sink: RawObject, cb: Callback<void>): void;
  getStats(mediaType: string, cb: Callback<Record<string, KmsStats>>): void;
  setTurnUrl(turnUrl: string, cb: Callback<void>): void;
  setMaxVideoSendBandwidth(kbps: number, cb: Callback<void>): void;
  setMinVideoSendBandwidth(kbps: number, cb: Callback<void>): void;
}

interface RawUriEndpoint extends RawElement {
  pause(cb: Callback<void>): void;
  stop(cb: Callback<void>): void;
}

interface RawRecorder extends RawUriEndpoint {
  record(cb: Callback<void>): void;
  stopAndWait(cb: Callback<void>): void;
}

interface RawPlayer extends RawUriEndpoint {
  play(cb: Callback<void>): void;
  getVideoInfo(cb: Callback<VideoInfo>): void;
  getPosition(cb: Callback<number>): void;
  setPosition(position: number, cb: Callback<void>): void;
}

export interface VideoInfo {
  isSeekable: boolean;
  seekableInit: number;
  seekableEnd: number;
  duration: number;
}

/** One entry of a KMS stats report (RTCInboundRTPStreamStats, RTCOutboundRTPStreamStats, ...). */
export type KmsStats = Record<string, unknown> & { type?: string };

interface RawServerManager extends RawObject {
  getPipelines(cb: Callback<RawObject[]>): void;
  getInfo(cb: Callback<{ version: string; modules?: { name: string }[] }>): void;
  getCpuCount(cb: Callback<number>): void;
  getUsedCpu(interval: number, cb: Callback<number>): void;
  getUsedMemory(cb: Callback<number>): void;
}

/** What a media server says it uses (ServerManager), on KMS as on the engine. */
export interface ServerResources {
  cpuCount: number;
  /** CPU in use over the sampling interval, percent. */
  usedCpuPercent: number;
  /** Resident memory, bytes (KMS answers KiB). */
  usedMemoryBytes: number;
}

interface Reconnector extends EventEmitter {
  connected: boolean;
  /** false once disconnect() ran: no further attempt will be made. */
  reconnect: boolean;
}

interface RawClient extends EventEmitter {
  _re: Reconnector;
  create(type: string, cb: Callback<RawObject>): void;
  getServerManager(cb: Callback<RawServerManager>): void;
  close(): void;
}

interface KurentoModule {
  (url: string, options: Record<string, unknown>): RawClient;
  getComplexType(name: string): (value: unknown) => unknown;
  register(module: string): void;
}

interface RawElement extends RawObject {
  connect(sink: RawObject, cb: Callback<void>): void;
  connect(sink: RawObject, mediaType: string, cb: Callback<void>): void;
}

interface RawFaceOverlay extends RawElement {
  setOverlayedImage(uri: string, x: number, y: number, w: number, h: number, cb: Callback<void>): void;
  unsetOverlayedImage(cb: Callback<void>): void;
}

interface RawChroma extends RawElement {
  setBackground(uri: string, cb: Callback<void>): void;
  unsetBackground(cb: Callback<void>): void;
}

export interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
}

/** A media server's failure, with KMS's error code when it gave one (40108: no such factory). */
export type MediaServerFailure = Error & { code?: number };

/** Keeps KMS's code, whether kurento-client gives an Error or the JSON-RPC error object. */
function failure(error: unknown): MediaServerFailure {
  if (error instanceof Error) return error;
  const { message, code } = (error ?? {}) as { message?: unknown; code?: unknown };
  return Object.assign(
    new Error(typeof message === 'string' ? message : String(error)),
    typeof code === 'number' ? { code } : {},
  );
}

function call<T>(fn: (cb: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    fn((error, result) => (error ? reject(failure(error)) : resolve(result)));
  });
}

/**
 * kurento-client emits 'error' on an object when subscribing to one of its events fails (a
 * timed-out media server, an object already gone); unheard, Node throws the event and the
 * process ends. Yet the object refuses an 'error' listener: its 'newListener' hook throws for
 * any event its kmd does not name. The listener is added with that hook set aside for the
 * moment (kurento-client has one; with more, re-adding them would trip it, so nothing is done).
 */
function hearErrors(raw: RawObject): void {
  const hooks = raw.listeners('newListener') as ((...args: unknown[]) => void)[];
  if (hooks.length > 1) return;
  raw.removeAllListeners('newListener');
  raw.on('error', (err: unknown) => reportObjectError(err, raw.id));
  for (const hook of hooks) raw.on('newListener', hook);
}

/** A media object we created: release is idempotent and never throws. */
class MediaObjectHandle {
  protected readonly raw: RawObject;
  private releasing: Promise<void> | undefined;

  constructor(raw: RawObject) {
    this.raw = raw;
    hearErrors(raw);
  }

  get id(): string {
    return this.raw.id;
  }

  release(): Promise<void> {
    // NOTE: an object the media server already dropped (it restarted, or released the
    // pipeline) answers "not found"; for the caller it is released all the same.
    this.releasing ??= call<void>((cb) => this.raw.release(cb)).catch(() => undefined);
    return this.releasing;
  }
}

/** An element that connects to others (every endpoint and filter). */
export class MediaElementHandle extends MediaObjectHandle {
  declare protected readonly raw: RawElement;

  connect(sink: MediaElementHandle, mediaType?: MediaType): Promise<void> {
    const raw = sink.raw;
    return call((cb) => (mediaType ? this.raw.connect(raw, mediaType, cb) : this.raw.connect(raw, cb)));
  }

  /** KMS's Error event: what went wrong, in the media server's words. */
  onError(listener: (description: string) => void): void {
    this.raw.on('Error', (event: { description?: string }) => listener(event.description ?? 'media server error'));
  }
}

/** How long a WebRTC peer may stay disconnected before its session is ended. */
export const PEER_LOST_GRACE_MS = 20_000;

export class WebRtcEndpoint extends MediaElementHandle {
  declare protected readonly raw: RawWebRtc;

  processOffer(offer: string): Promise<string> {
    return call((cb) => this.raw.processOffer(offer, cb));
  }

  generateOffer(): Promise<string> {
    return call((cb) => this.raw.generateOffer(cb));
  }

  processAnswer(answer: string): Promise<string> {
    return call((cb) => this.raw.processAnswer(answer, cb));
  }

  getStats(mediaType: 'AUDIO' | 'VIDEO'): Promise<Record<string, KmsStats>> {
    return call((cb) => this.raw.getStats(mediaType, cb));
  }

  gatherCandidates(): Promise<void> {
    return call((cb) => this.raw.gatherCandidates(cb));
  }

  /** The TURN server this endpoint relays through, in KMS's `user:password@address:port` form. */
  setTurnUrl(turnUrl: string): Promise<void> {
    return call((cb) => this.raw.setTurnUrl(turnUrl, cb));
  }

  /** The most this endpoint, as a sink, lets its publisher send (kbps; KMS's default is 500, 0 is no limit). */
  setMaxVideoSendBandwidth(kbps: number): Promise<void> {
    return call((cb) => this.raw.setMaxVideoSendBandwidth(kbps, cb));
  }

  /** The least this endpoint, as a sink, lets its peer's estimate take its publisher down to (kbps; default 100). */
  setMinVideoSendBandwidth(kbps: number): Promise<void> {
    return call((cb) => this.raw.setMinVideoSendBandwidth(kbps, cb));
  }

  addIceCandidate(candidate: IceCandidate): Promise<void> {
    const typed = kurento.getComplexType('IceCandidate')({
      candidate: candidate.candidate,
      sdpMid: candidate.sdpMid ?? '0',
      sdpMLineIndex: candidate.sdpMLineIndex ?? 0,
    });
    return call((cb) => this.raw.addIceCandidate(typed, cb));
  }

  /**
   * The peer is gone: ICE failed, or stayed disconnected (after having connected) for
   * PEER_LOST_GRACE_MS. A browser that vanishes without closing its signaling socket, or
   * whose network drops only the media, leaves its pipeline held otherwise. Reconnecting
   * within the grace (a Wi-Fi hiccup) cancels it.
   */
  onPeerLost(listener: () => void, graceMs = PEER_LOST_GRACE_MS): void {
    let connected = false;
    let released = false;
    let timer: NodeJS.Timeout | undefined;
    const lost = (): void => {
      clearTimeout(timer);
      timer = undefined;
      listener();
    };
    // kurento-client emits 'release' for the endpoint itself and for every child of a
    // released pipeline: a call ended meanwhile must not be reported lost afterwards.
    this.raw.once('release', () => {
      released = true;
      clearTimeout(timer);
      timer = undefined;
    });
    this.raw.on('IceComponentStateChanged', (event: { state: string }) => {
      if (released) return;
      if (event.state === 'CONNECTED' || event.state === 'READY') {
        connected = true;
        clearTimeout(timer);
        timer = undefined;
      } else if (event.state === 'FAILED' || (event.state === 'DISCONNECTED' && connected)) {
        timer ??= setTimeout(lost, graceMs);
        timer.unref();
      }
    });
  }

  /** Media flows in (for `mediaType`): the moment KMS advises starting a recorder. */
  onMediaFlowingIn(listener: (mediaType: MediaType) => void): void {
    this.raw.on('MediaFlowInStateChanged', (event: { state: string; mediaType: MediaType }) => {
      if (event.state === 'FLOWING') listener(event.mediaType);
    });
  }

  onIceCandidate(listener: (candidate: IceCandidate) => void): void {
    this.raw.on('IceCandidateFound', (event: { candidate: IceCandidate }) => {
      const { candidate, sdpMid, sdpMLineIndex } = event.candidate;
      listener({ candidate, sdpMid, sdpMLineIndex });
    });
  }
}

export type MediaType = 'AUDIO' | 'VIDEO';

export class RecorderEndpoint extends MediaElementHandle {
  declare protected readonly raw: RawRecorder;

  record(): Promise<void> {
    return call((cb) => this.raw.record(cb));
  }

  pause(): Promise<void> {
    return call((cb) => this.raw.pause(cb));
  }

  /** Returns once the file is complete on disk. */
  stopAndWait(): Promise<void> {
    return call((cb) => this.raw.stopAndWait(cb));
  }

  on(event: 'Recording' | 'Paused' | 'Stopped', listener: () => void): void {
    this.raw.on(event, () => listener());
  }
}

export class PlayerEndpoint extends MediaElementHandle {
  declare protected readonly raw: RawPlayer;

  play(): Promise<void> {
    return call((cb) => this.raw.play(cb));
  }

  pause(): Promise<void> {
    return call((cb) => this.raw.pause(cb));
  }

  stop(): Promise<void> {
    return call((cb) => this.raw.stop(cb));
  }

  getVideoInfo(): Promise<VideoInfo> {
    return call((cb) => this.raw.getVideoInfo(cb));
  }

  getPosition(): Promise<number> {
    return call((cb) => this.raw.getPosition(cb));
  }

  setPosition(positionMs: number): Promise<void> {
    return call((cb) => this.raw.setPosition(positionMs, cb));
  }

  onEndOfStream(listener: () => void): void {
    this.raw.on('EndOfStream', () => listener());
  }
}

/** Draws an image over every face (offsets and size are fractions of the face box). */
export class FaceOverlayFilter extends MediaElementHandle {
  declare protected readonly raw: RawFaceOverlay;

  setOverlayedImage(uri: string, [x, y, width, height]: [number, number, number, number]): Promise<void> {
    return call((cb) => this.raw.setOverlayedImage(uri, x, y, width, height, cb));
  }

  unsetOverlayedImage(): Promise<void> {
    return call((cb) => this.raw.unsetOverlayedImage(cb));
  }
}

/** kms-chroma: the colour calibrated in a window shows a background image instead. */
export class ChromaFilter extends MediaElementHandle {
  declare protected readonly raw: RawChroma;

  setBackground(uri: string): Promise<void> {
    return call((cb) => this.raw.setBackground(uri, cb));
  }

  unsetBackground(): Promise<void> {
    return call((cb) => this.raw.unsetBackground(cb));
  }
}

/** A GStreamer command applied to the video (the embedded media server allow-lists them). */
export class GStreamerFilter extends MediaElementHandle {}

export interface ChromaWindow {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A pipeline's element as an observer sees it: its class, its connections, whether media
 * flows, and (endpoints) its stats. Read-only: whoever created the element owns it.
 */
export class ElementProbe {
  constructor(private readonly raw: RawInspectable) {}

  get id(): string {
    return this.raw.id;
  }

  /** KMS's class name, from the id KMS gives it: `<pipeline>/<uuid>_<module>.<Class>`. */
  get type(): string {
    const own = this.raw.id.slice(this.raw.id.lastIndexOf('/') + 1);
    return own.slice(own.lastIndexOf('.') + 1);
  }

  /** Endpoints that carry RTP report bitrates in getStats. */
  get hasRtpStats(): boolean {
    return this.type === 'WebRtcEndpoint' || this.type === 'RtpEndpoint';
  }

  async sinkConnections(): Promise<{ sink: string; mediaType: string }[]> {
    const list = await call<RawConnection[]>((cb) => this.raw.getSinkConnections(cb));
    // NOTE: kurento-client leaves ElementConnectionData's elements as the ids KMS sent (its
    // type check is commented out); an object is accepted too, should a version resolve them.
    return list.map((c) => ({ sink: typeof c.sink === 'string' ? c.sink : c.sink.id, mediaType: c.type }));
  }

  isFlowing(direction: 'in' | 'out', mediaType: MediaType): Promise<boolean> {
    return call<boolean>((cb) =>
      direction === 'in' ? this.raw.isMediaFlowingIn(mediaType, cb) : this.raw.isMediaFlowingOut(mediaType, cb),
    );
  }

  getStats(mediaType: MediaType): Promise<Record<string, KmsStats>> {
    return call((cb) => this.raw.getStats(mediaType, cb));
  }

  /** MediaFlowIn/OutStateChanged; returns what removes the listeners. */
  onFlow(listener: (direction: 'in' | 'out', mediaType: MediaType, flowing: boolean) => void): () => void {
    const flowIn = (e: { state: string; mediaType: MediaType }): void => listener('in', e.mediaType, e.state === 'FLOWING');
    const flowOut = (e: { state: string; mediaType: MediaType }): void => listener('out', e.mediaType, e.state === 'FLOWING');
    this.raw.on('MediaFlowInStateChanged', flowIn);
    this.raw.on('MediaFlowOutStateChanged', flowOut);
    return () => {
      this.raw.removeListener('MediaFlowInStateChanged', flowIn);
      this.raw.removeListener('MediaFlowOutStateChanged', flowOut);
    };
  }
}

export class Pipeline extends MediaObjectHandle {
  declare protected readonly raw: RawPipeline;

  /** A KMS tag (MediaObject.addTag): who made the pipeline, for whoever lists them later. */
  tag(key: string, value: string): Promise<void> {
    return call((cb) => this.raw.addTag(key, value, cb));
  }

  /** Every element in the pipeline now, whoever created it. */
  async children(): Promise<ElementProbe[]> {
    const children = await call<RawObject[]>((cb) => this.raw.getChildren(cb));
    return children.map((raw) => new ElementProbe(raw as RawInspectable));
  }

  async createWebRtcEndpoint(options: { recvonly?: boolean; sendonly?: boolean } = {}): Promise<WebRtcEndpoint> {
    const raw = await call<RawObject>((cb) => this.raw.create('WebRtcEndpoint', options, cb));
    return new WebRtcEndpoint(raw);
  }

  async createRecorderEndpoint(uri: string, mediaProfile: string): Promise<RecorderEndpoint> {
    const raw = await call<RawObject>((cb) => this.raw.create('RecorderEndpoint', { uri, mediaProfile }, cb));
    return new RecorderEndpoint(raw);
  }

  async createPlayerEndpoint(uri: string): Promise<PlayerEndpoint> {
    const raw = await call<RawObject>((cb) => this.raw.create('PlayerEndpoint', { uri }, cb));
    return new PlayerEndpoint(raw);
  }

  async createFaceOverlayFilter(): Promise<FaceOverlayFilter> {
    return new FaceOverlayFilter(await call<RawObject>((cb) => this.raw.create('FaceOverlayFilter', {}, cb)));
  }

  async createChromaFilter(window: ChromaWindow, backgroundImage?: string): Promise<ChromaFilter> {
    const param = kurento.getComplexType('chroma.WindowParam')({
      topRightCornerX: window.x, // KMS's name; it is the top-left corner
      topRightCornerY: window.y,
      width: window.width,
      height: window.height,
    });
    const params = backgroundImage ? { window: param, backgroundImage } : { window: param };
    return new ChromaFilter(await call<RawObject>((cb) => this.raw.create('chroma.ChromaFilter', params, cb)));
  }

  async createGStreamerFilter(command: string): Promise<GStreamerFilter> {
    return new GStreamerFilter(await call<RawObject>((cb) => this.raw.create('GStreamerFilter', { command }, cb)));
  }
}

export type ConnectionState = 'connecting' | 'ready' | 'down' | 'closed';

export interface MediaServerConnectionEvents {
  state: [ConnectionState];
  /**
   * Every object we held is gone, or out of reach for good: the media server came back
   * without our session, or stayed unreachable longer than `lostAfterMs`.
   */
  objectsLost: [];
}

export interface MediaServerConnectionOptions {
  /**
   * How long the media server may stay unreachable before its sessions are given up. A
   * shorter drop resumes the same Kurento session, every object still there.
   */
  lostAfterMs?: number;
}

/** Without an option: long enough for a media server's restart or a network blip. */
const LOST_AFTER_MS = 15_000;

/**
 * One media server, reached through kurento-client. It never throws for an unreachable
 * server: it reports its state, keeps retrying, and tells when objects were lost.
 */
export class MediaServerConnection extends EventEmitter<MediaServerConnectionEvents> {
  /** The media server's URL with any credentials masked. */
  readonly url: string;
  private readonly client: RawClient;
  private readonly log: Logger;
  private stateValue: ConnectionState = 'connecting';
  /** Whether we ever created an object there: only then can a restart lose any. */
  private heldObjects = false;
  /** Sessions placed here by the pool, and not yet ended. */
  load = 0;
  private lostTimer: NodeJS.Timeout | undefined;
  private readonly lostAfterMs: number;

  constructor(url: string, log: Logger, options: MediaServerConnectionOptions = {}) {
    super();
    // NOTE: `url` is what is shown and logged; the credentials it may carry stay in the client.
    this.url = maskUrl(url);
    this.log = log.child({ kms: this.url });
    routeKurentoClientOutput(log);
    // failAfter Infinity: a media server that is down now may come up later.
    this.client = kurento(url, { failAfter: Infinity, strict: false, request_timeout: 10_000 });
    this.lostAfterMs = options.lostAfterMs ?? LOST_AFTER_MS;
    const re = this.client._re;
    re.on('connection', () => {
      clearTimeout(this.lostTimer);
      this.lostTimer = undefined;
      this.setState('ready');
    });
    re.on('disconnect', () => {
      this.setState('down');
      this.startLostTimer();
    });
    // NOTE: reconnect-core re-emits its socket's errors (a refused connection, a request
    // written after close) and then reports the disconnect, which 'disconnect' handles.
    // Without a listener, Node would throw the error and take the server down.
    re.on('error', (err: unknown) => {
      if (this.stateValue === 'closed') this.log.debug({ err }, 'media server socket error after close');
      else this.log.warn({ err }, 'media server socket error');
    });
    re.on('backoff', () => {
      if (this.stateValue === 'connecting') this.setState('down');
    });
    this.client.on('reconnected', (sameSession: boolean) => {
      // NOTE: after an outage at start-up kurento-client "resumes" a session it never had.
      if (!sameSession && this.heldObjects) {
        this.log.warn('media server lost our session; its objects are gone');
        this.emit('objectsLost');
      }
    });
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /**
   * Down too long: whatever we held there is given up, even if the media server still holds
   * it (media may still flow, but nothing can be controlled). If it comes back later with our
   * session, the pool's sweep releases what nobody owns any more.
   */
  private startLostTimer(): void {
    if (this.lostTimer || !this.heldObjects) return;
    this.lostTimer = setTimeout(() => {
      this.lostTimer = undefined;
      if (this.ready || this.stateValue === 'closed') return;
      this.log.warn({ afterMs: this.lostAfterMs }, 'media server unreachable too long; what we held there is given up');
      this.emit('objectsLost');
    }, this.lostAfterMs);
    this.lostTimer.unref();
  }

  get ready(): boolean {
    return this.stateValue === 'ready';
  }

  private setState(next: ConnectionState): void {
    if (next === this.stateValue || this.stateValue === 'closed') return;
    this.log.info({ from: this.stateValue, to: next }, 'media server connection');
    this.stateValue = next;
    this.emit('state', next);
  }

  async createPipeline(): Promise<Pipeline> {
    if (!this.ready) throw new Error('The media server is not reachable');
    const raw = await call<RawObject>((cb) => this.client.create('MediaPipeline', cb));
    this.heldObjects = true;
    return new Pipeline(raw as RawPipeline);
  }

  /** The modules the media server has loaded (getInfo): core, elements, filters, chroma... */
  async modules(): Promise<string[]> {
    const manager = await call<RawServerManager>((cb) => this.client.getServerManager(cb));
    const info = await call<{ modules?: { name: string }[] }>((cb) => manager.getInfo(cb));
    return (info.modules ?? []).map((m) => m.name);
  }

  /** CPU and memory as the media server reports them; `intervalMs` is KMS's CPU sampling time. */
  async resources(intervalMs = 500): Promise<ServerResources> {
    const manager = await call<RawServerManager>((cb) => this.client.getServerManager(cb));
    const [cpuCount, usedCpuPercent, usedMemoryKb] = await Promise.all([
      call<number>((cb) => manager.getCpuCount(cb)),
      call<number>((cb) => manager.getUsedCpu(intervalMs, cb)),
      call<number>((cb) => manager.getUsedMemory(cb)),
    ]);
    return { cpuCount, usedCpuPercent, usedMemoryBytes: usedMemoryKb * 1024 };
  }

  /** The pipelines on the media server that carry the tag `key` = `value`. */
  async pipelinesTagged(key: string, value: string): Promise<Pipeline[]> {
    const manager = await call<RawServerManager>((cb) => this.client.getServerManager(cb));
    const pipelines = await call<RawObject[]>((cb) => manager.getPipelines(cb)).catch((err: unknown) => {
      // Released while being listed (see pipelineIds): nothing to sweep this time.
      if (err instanceof ReferenceError) return [];
      throw err;
    });
    const tagged: Pipeline[] = [];
    for (const raw of pipelines) {
      // Another application's pipeline, or one released meanwhile: not ours to touch.
      const tags = await call<{ key: string; value: string }[]>((cb) => raw.getTags(cb)).catch(() => []);
      if (tags.some((t) => t.key === key && t.value === value)) tagged.push(new Pipeline(raw as RawPipeline));
    }
    return tagged;
  }

  /** The ids of every pipeline on the media server (ours and others'). */
  async pipelineIds(): Promise<string[]> {
    const manager = await call<RawServerManager>((cb) => this.client.getServerManager(cb));
    // NOTE: kurento-client describes every listed pipeline; one released meanwhile fails the
    // whole listing with "not found". The listing is a snapshot, so take another one.
    for (let attempt = 1; ; attempt++) {
      try {
        const pipelines = await call<RawObject[]>((cb) => manager.getPipelines(cb));
        return pipelines.map((p) => p.id);
      } catch (err) {
        if (!(err instanceof ReferenceError) || attempt >= 5) throw err;
      }
    }
  }

  /**
   * Closes the connection; resolves once the client has really let go (kurento-client
   * disconnects only after its last request settles, and the registry's reconnect-ws may try
   * once more meanwhile), so a media server stopped next is not reconnected to.
   */
  async close(): Promise<void> {
    clearTimeout(this.lostTimer);
    this.setState('closed');
    this.client.close();
    const re = this.client._re;
    for (let waited = 0; (re.reconnect || re.connected) && waited < 2000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
