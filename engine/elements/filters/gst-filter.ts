// What the embedded media server's video filters share: each one owns a GStreamer helper
// process (engine/gst/helper.py, filter mode) that takes the input's VP8 over loopback UDP,
// decodes it, changes the pictures, and sends VP8 back. Audio passes through untouched, as
// in KMS's filters.
//
// The helper starts with the first video packet and stops after a few seconds without one,
// so a filter that sees no frames costs no process. If it dies mid-stream, the filter raises
// the Error event and starts it once more; a second death is final (another Error says so).

import type { RtpPacket } from 'werift';
import { GstHelper, gstreamerMissing, type HelperEvent } from '../../gst/helper-process';
import type { ImageCache } from '../../media/image';
import { KmsError } from '../../protocol/errors';
import type { MediaKind, RtpFanout } from '../../rtp/fanout';
import { RtpRestamper } from '../../rtp/restamper';
import { MediaElement } from '../media-element';
import type { EngineContext, MediaObject } from '../media-object';

/** The elements every filter runs; each kind of filter adds its own. */
export const FILTER_ELEMENTS = [
  'udpsrc',
  'rtpjitterbuffer',
  'rtpvp8depay',
  'vp8dec',
  'videoconvert',
  'vp8enc',
  'rtpvp8pay',
  'rtpstreampay',
  'tcpclientsink',
];

const VP8 = { mimeType: 'video/VP8', clockRate: 90000 };
/** The payload type the helper's caps expect, whatever the input negotiated. */
const HELPER_PT = 96;
/** A helper that gets no frame for this long is stopped; the next frame starts another. */
const IDLE_STOP_MS = 5000;
const RESTARTS = 1;

export abstract class GstFilter extends MediaElement {
  private helper: GstHelper | undefined;
  private starting = false;
  /** The helper's own input port, known once it says it is listening. */
  private helperPort: number | undefined;
  private restartsLeft = RESTARTS;
  private failed = false;
  private lastVideoAt = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private lastHelperError: string | undefined;
  private codecRefused = false;
  /** The last input codec seen, and whether it was VP8: decided once per codec, not per packet. */
  private checkedCodec: RtpFanout['codec'];
  private codecIsVp8 = true;
  private readonly restamper = new RtpRestamper(90000);

  protected constructor(ctx: EngineContext, type: string, pipeline: MediaObject, elements: string[]) {
    super(ctx, type, pipeline);
    // Fail at create, in words, rather than at the first frame.
    const missing = gstreamerMissing(ctx.config.gstPython, [...FILTER_ELEMENTS, ...elements]);
    if (missing) throw new KmsError('MEDIA_OBJECT_NOT_AVAILABLE', `${type} cannot be created: ${missing}`);
  }

  /** The `process` part of the helper's configuration: what this filter does to pictures. */
  protected abstract process(): Record<string, unknown> | Promise<Record<string, unknown>>;

  /**
   * An analyser (ZBarFilter) only looks at the video: its packets leave as they came, and
   * the helper decodes a copy, with no encoder, as KMS's zbar element passes frames through.
   */
  protected analyzesOnly(): boolean {
    return false;
  }

  /** Extra helper settings that must survive a restart (an overlay, a calibration). */
  protected helperState(): Record<string, unknown> {
    return {};
  }

  /** Events of this filter's kind of helper (calibrated, ...). */
  protected onFilterEvent(_event: HelperEvent): void {}

  /** Sends a command to the running helper, if there is one; a new helper gets the state. */
  /**
   * The local path of an image the filter draws, or undefined after an Error event that says
   * which URI failed and why. KMS accepts an image it cannot read and carries on without it
   * (the tutorials point at images on the internet); so does this filter.
   */
  protected async loadImage(images: ImageCache, uri: string): Promise<string | undefined> {
    try {
      return await images.fetch(uri);
    } catch (err) {
      this.raiseError('FILTER_ERROR', `${this.type} goes on without its image. ${(err as Error).message}`);
      return undefined;
    }
  }

  protected command(command: Record<string, unknown>): void {
    this.helper?.send(command);
  }

  protected onInputPacket(kind: MediaKind, packet: RtpPacket, source: RtpFanout): void {
    if (kind === 'audio' || this.analyzesOnly()) {
      const out = this.output(kind);
      if (out.codec !== source.codec) out.codec = source.codec;
      out.push(packet);
      if (kind === 'audio') return;
    }
    if (source.codec !== this.checkedCodec) {
      this.checkedCodec = source.codec;
      this.codecIsVp8 = !source.codec || source.codec.mimeType.toLowerCase() === 'video/vp8';
    }
    if (!this.codecIsVp8) {
      if (!this.codecRefused && source.codec) {
        this.codecRefused = true;
        this.raiseError('FILTER_CODEC_NOT_SUPPORTED', `${this.type} filters VP8 video only, not ${source.codec.mimeType}`);
      }
      return;
    }
    this.lastVideoAt = Date.now();
    if (this.failed) return;
    if (!this.helper) {
      void this.startHelper();
      return;
    }
    if (this.helperPort === undefined) return; // still starting: this frame is lost, a keyframe follows
    const buf = packet.serialize();
    buf.writeUInt8((buf.readUInt8(1) & 0x80) | HELPER_PT, 1);
    this.helper.sendRtp(this.helperPort, buf);
  }

  private async startHelper(): Promise<void> {
    if (this.starting || this.released) return;
    this.starting = true;
    try {
      const process = await this.process();
      const helper = await GstHelper.start(
        this.ctx.config.gstPython,
        this.ctx.config.helpers,
        (port) => ({ mode: 'filter', outPort: port, process, ...this.helperState() }),
        this.log,
        (packet) => this.onHelperRtp(packet),
        (event) => this.onHelperEvent(event),
      );
      if (this.released) {
        helper.close();
        return;
      }
      this.helper = helper;
      helper.onExit = (code) => {
        if (this.helper === helper) this.onHelperDied(code);
      };
      this.idleTimer = setInterval(() => this.stopIfIdle(), IDLE_STOP_MS / 2);
      this.idleTimer.unref();
    } catch (err) {
      this.failed = true;
      this.raiseError('FILTER_ERROR', `${this.type} could not start GStreamer: ${(err as Error).message}`);
    } finally {
      this.starting = false;
    }
  }

  /** The codec the helper sends back; a format stage may ask for H.264. */
  protected outputCodec: { mimeType: string; clockRate: number } = VP8;

  private onHelperRtp(packet: RtpPacket): void {
    const out = this.output('video');
    out.codec ??= this.outputCodec;
    out.push(this.restamper.restamp(packet));
  }

  private onHelperEvent(event: HelperEvent): void {
    switch (event.event) {
      case 'listening':
        this.helperPort = Number(event.port);
        this.requestKeyframeUpstream('video');
        return;
      case 'keyframe-request':
        this.requestKeyframeUpstream('video');
        return;
      case 'error':
        this.lastHelperError = String(event.message);
        return;
      default:
        this.onFilterEvent(event);
    }
  }

  private onHelperDied(code: number | null): void {
    const why = this.lastHelperError ?? `exit code ${code}`;
    this.lastHelperError = undefined;
    this.stopHelper();
    if (this.restartsLeft > 0) {
      this.restartsLeft--;
      // The next frame starts a new helper with the same settings.
      this.raiseError('FILTER_ERROR', `${this.type}: its GStreamer process ended (${why}); restarting it`);
    } else {
      this.failed = true;
      this.raiseError('FILTER_ERROR', `${this.type}: its GStreamer process ended again (${why}); the filter stopped`);
    }
  }

  private stopIfIdle(): void {
    if (Date.now() - this.lastVideoAt >= IDLE_STOP_MS) {
      this.log.debug('no video for a while: stopping the GStreamer helper');
      this.stopHelper();
    }
  }

  private stopHelper(): void {
    clearInterval(this.idleTimer);
    this.idleTimer = undefined;
    this.helper?.close();
    this.helper = undefined;
    this.helperPort = undefined;
  }

  /** The helper decodes and re-encodes the video while it runs; audio passes untouched. */
  protected override transcoding(kind: MediaKind): boolean {
    return kind === 'video' && this.helper !== undefined && !this.analyzesOnly();
  }

  protected override onKeyframeRequested(kind: MediaKind): void {
    if (kind === 'video' && !this.analyzesOnly()) this.helper?.send({ cmd: 'keyframe' });
    else this.requestKeyframeUpstream(kind);
  }

  protected override async dispose(): Promise<void> {
    this.stopHelper();
    await super.dispose();
  }
}
