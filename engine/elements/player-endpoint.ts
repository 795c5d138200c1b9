// PlayerEndpoint: plays a file or http(s) URI into the pipeline. A GStreamer helper decodes
// whatever the URI holds and re-encodes it as VP8 + Opus, paced in real time, as KMS's player
// does; re-encoding is what lets a sink that joins late, or loses a packet, get a keyframe.
// The helper starts at play() and ends with stop() or release; EndOfStream comes from it.

import { existsSync, accessSync, constants } from 'node:fs';
import type { RtpPacket } from 'werift';
import { GstHelper, gstreamerMissing, type HelperEvent } from '../gst/helper-process';
import { KmsError, type ErrorCodeName } from '../protocol/errors';
import type { MediaKind, RtpFanout } from '../rtp/fanout';
import { COULD_NOT_READ } from '../../packages/url-policy';
import { UrlRelay } from '../media/url-relay';
import { HelperOutputs } from './helper-outputs';
import type { EngineContext, MediaObject } from './media-object';
import { UriEndpoint } from './uri-endpoint';

const ELEMENTS = [
  'uridecodebin',
  'videoconvert',
  'vp8enc',
  'rtpvp8pay',
  'audioconvert',
  'audioresample',
  'opusenc',
  'rtpopuspay',
];
/** How long play() waits for the helper to open the URI; past that, play() fails. */
const OPEN_TIMEOUT_MS = 15_000;

interface VideoInfo {
  durationMs: number;
  seekable: boolean;
  seekableInitMs: number;
  seekableEndMs: number;
}

export class PlayerEndpoint extends UriEndpoint {
  private helper: GstHelper | undefined;
  /** For an http(s) URI: where the helper reads it, fetched under the URL policy. */
  private relay: UrlRelay | undefined;
  /** A play() in progress: a second call waits for it rather than start a second helper. */
  private starting: Promise<void> | undefined;
  private info: VideoInfo | undefined;
  private readonly played = new HelperOutputs((kind) => this.output(kind));
  private ended = false;

  constructor(ctx: EngineContext, pipeline: MediaObject, uri: string) {
    super(ctx, 'PlayerEndpoint', pipeline, uri, true);
    this.handle('play', () => this.play());
    this.handle('getVideoInfo', () => this.videoInfo());
    this.handle('getPosition', () => this.position());
    this.handle('setPosition', (p) => this.seek(p.position as number));
  }

  private play(): Promise<void> {
    this.starting ??= this.startPlaying().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async startPlaying(): Promise<void> {
    if (this.helper && this.state === 'PAUSE') {
      await this.ask(this.helper, { cmd: 'play' }, 'resume');
      this.setState('START');
      return;
    }
    if (this.helper && !this.ended) return;
    this.closeHelper();
    this.checkReadable();
    const missing = gstreamerMissing(this.ctx.config.gstPython, ELEMENTS);
    if (missing) this.failOpen(missing);
    this.ended = false;
    let opened: (error?: string) => void = () => {};
    const open = new Promise<string | undefined>((ok) => (opened = ok));
    let source = this.uri;
    if (this.target.kind === 'http') {
      this.relay = await UrlRelay.open(this.uri, { allowPrivate: this.ctx.config.allowPrivateUrls }, this.log);
      source = this.relay.url;
    }
    const helper = await GstHelper.start(
      this.ctx.config.gstPython,
      this.ctx.config.helpers,
      (port) => ({ mode: 'player', uri: source, videoPort: port, audioPort: port }),
      this.log,
      (packet) => this.played.push(packet),
      (event) => {
        if (event.event === 'ready') opened();
        if (event.event === 'error') opened(String(event.message));
        this.onHelperEvent(event);
      },
    );
    if (this.released) {
      helper.close();
      this.closeHelper();
      return;
    }
    this.helper = helper;
    helper.onExit = () => {
      if (this.helper === helper) this.closeHelper();
    };
    this.setState('START');
    const timer = setTimeout(() => opened(`it did not open within ${OPEN_TIMEOUT_MS / 1000} s`), OPEN_TIMEOUT_MS);
    const error = await open;
    clearTimeout(timer);
    if (error) {
      this.closeHelper();
      this.setState('STOP');
      throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `Cannot play ${this.uri}: ${this.reason(error)}`);
    }
  }

  /**
   * What the application hears of a failure. For an http(s) URI it is the same words whatever
   * went wrong (refused address, HTTP error, not a video), so errors cannot map the network
   * behind the media server; the details go to the debug log.
   */
  private reason(error: string): string {
    if (this.target.kind !== 'http') return error;
    this.log.debug({ uri: this.uri, reason: this.relay?.lastFailure ?? error }, 'the player could not read its URL');
    return COULD_NOT_READ;
  }

  /** A local file that is not there fails at once, in words, before any process starts. */
  private checkReadable(): void {
    if (this.target.kind !== 'file') return;
    const path = this.target.path;
    try {
      if (!existsSync(path)) throw new Error('no such file');
      accessSync(path, constants.R_OK);
    } catch (err) {
      this.failOpen(`Cannot play ${this.uri}: ${(err as Error).message}`);
    }
  }

  private failOpen(message: string): never {
    this.raiseError('PLAYER_ERROR', message);
    throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', message);
  }

  private onHelperEvent(event: HelperEvent): void {
    switch (event.event) {
      case 'ready':
        this.info = event as unknown as VideoInfo;
        return;
      case 'eos':
        this.ended = true;
        this.raise('EndOfStream');
        for (const out of this.outputs.values()) out.end();
        return;
      case 'error':
        this.raiseError('PLAYER_ERROR', `Cannot play ${this.uri}: ${this.reason(String(event.message))}`);
        return;
    }
  }

  /** Whatever the URI holds is decoded and re-encoded to VP8 and Opus while playing. */
  protected override transcoding(): boolean {
    return this.helper !== undefined;
  }

  protected override onKeyframeRequested(): void {
    this.helper?.send({ cmd: 'keyframe' });
  }

  // A player has no inputs.
  protected onInputPacket(_kind: MediaKind, _packet: RtpPacket, _source: RtpFanout): void {}

  protected async pause(): Promise<void> {
    if (this.state !== 'START' || !this.helper) return;
    await this.ask(this.helper, { cmd: 'pause' }, 'pause');
    this.setState('PAUSE');
  }

  protected stop(): void {
    this.closeHelper();
    this.setState('STOP');
  }

  private async videoInfo(): Promise<Record<string, unknown>> {
    const info = this.helper
      ? ((await this.ask(this.helper, { cmd: 'info' }, 'read the video info')) as Partial<VideoInfo>)
      : undefined;
    const known = info && info.durationMs !== undefined ? (info as VideoInfo) : this.info;
    return {
      isSeekable: known?.seekable ?? false,
      seekableInit: known?.seekableInitMs ?? 0,
      seekableEnd: known?.seekableEndMs ?? 0,
      duration: known?.durationMs ?? 0,
      __module__: 'kurento',
      __type__: 'VideoInfo',
    };
  }

  private async position(): Promise<number> {
    if (!this.helper) return 0;
    const reply = await this.ask(this.helper, { cmd: 'position' }, 'read the position');
    if (typeof reply.positionMs !== 'number') throw new KmsError('UNEXPECTED_ERROR', 'The player did not report a position');
    return reply.positionMs;
  }

  private async seek(positionMs: number): Promise<void> {
    if (!this.helper) throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', 'The player is not playing; call play() first');
    await this.ask(this.helper, { cmd: 'seek', positionMs }, `seek to ${positionMs} ms`, 'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR');
    this.ended = false;
  }

  /** A helper request whose failure reaches the application as a KMS error naming the action. */
  private async ask(
    helper: GstHelper,
    command: Record<string, unknown>,
    action: string,
    code: ErrorCodeName = 'UNEXPECTED_ERROR',
  ): Promise<Record<string, unknown>> {
    try {
      return await helper.request(command);
    } catch (err) {
      throw new KmsError(code, `Cannot ${action}: ${(err as Error).message}`);
    }
  }

  private closeHelper(): void {
    this.helper?.close();
    this.helper = undefined;
    this.relay?.close();
    this.relay = undefined;
  }

  protected override async dispose(): Promise<void> {
    this.closeHelper();
    await super.dispose();
  }
}
