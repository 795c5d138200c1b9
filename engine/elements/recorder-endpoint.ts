// RecorderEndpoint: stores what reaches it in a WebM (or MKV) file, without transcoding.
// Writing begins at the first video keyframe after record(), so a file never starts with
// frames nobody can decode, and never exists empty because record() came before the media.
// Time is the wall clock at which each stream started plus its RTP clock, less the time
// spent paused; the two streams stay in sync because both are anchored to the same clock.

import { accessSync, constants, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RtpPacket } from 'werift';
import { FrameAssembler, type EncodedFrame } from '../media/frame-assembler';
import { HttpUpload } from '../media/http-upload';
import { openRecordingFile } from '../media/recording-file';
import { WebmWriter, type TrackKind } from '../media/webm-writer';
import { KmsError } from '../protocol/errors';
import type { MediaKind, RtpFanout } from '../rtp/fanout';
import { vp8KeyframeSize } from '../rtp/vp8';
import type { EngineContext, MediaObject } from './media-object';
import { UriEndpoint } from './uri-endpoint';

interface Profile {
  video: boolean;
  audio: boolean;
  docType: 'webm' | 'matroska';
}

const PROFILES: Record<string, Profile> = {
  WEBM: { video: true, audio: true, docType: 'webm' },
  WEBM_VIDEO_ONLY: { video: true, audio: false, docType: 'webm' },
  WEBM_AUDIO_ONLY: { video: false, audio: true, docType: 'webm' },
  MKV: { video: true, audio: true, docType: 'matroska' },
  MKV_VIDEO_ONLY: { video: true, audio: false, docType: 'matroska' },
  MKV_AUDIO_ONLY: { video: false, audio: true, docType: 'matroska' },
};

/** The codec each track of the file holds; anything else would need transcoding. */
const CODECS: Record<MediaKind, string> = { video: 'video/vp8', audio: 'audio/opus' };
/** With a WEBM profile and audio but no video keyframe for this long, start with audio alone. */
const AUDIO_ALONE_AFTER_MS = 2000;
const DEFAULT_SIZE = { width: 640, height: 480 };

interface TrackClock {
  arrivalMs: number;
  timestamp: number;
  clockRate: number;
}

export class RecorderEndpoint extends UriEndpoint {
  private readonly profile: Profile;
  private readonly stopOnEndOfStream: boolean;
  /** The local file; undefined when the recording is uploaded to an http(s) URI. */
  private readonly path: string | undefined;
  private writer: WebmWriter | undefined;
  private upload: HttpUpload | undefined;
  private readonly assemblers = new Map<MediaKind, FrameAssembler>();
  private readonly clocks = new Map<MediaKind, TrackClock>();
  private readonly codecRefused = new Set<MediaKind>();
  /** The source codec last checked per kind: checked again only when it changes, not per packet. */
  private readonly codecChecked = new Map<MediaKind, { codec: unknown; ok: boolean }>();
  private startedAt = 0;
  private firstAudioAt = 0;
  private pausedAt = 0;
  private pausedMs = 0;
  private announced = false;
  /** A write failed: this recording is over, and its file is left as it was. */
  private failed = false;
  /** The video size the file's header carries, once read from a keyframe. */
  private videoSize: { width: number; height: number } | undefined;

  constructor(ctx: EngineContext, pipeline: MediaObject, uri: string, mediaProfile: string, stopOnEndOfStream: boolean) {
    const profile = Object.hasOwn(PROFILES, mediaProfile) ? PROFILES[mediaProfile] : undefined;
    if (!profile) {
      throw new KmsError(
        'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR',
        `Media profile ${mediaProfile} is not supported by the embedded media server (it records without transcoding: ${Object.keys(PROFILES).join(', ')})`,
      );
    }
    super(ctx, 'RecorderEndpoint', pipeline, uri, true);
    this.path = this.target.kind === 'file' ? this.target.path : undefined;
    this.profile = profile;
    this.stopOnEndOfStream = stopOnEndOfStream;
    this.handle('record', () => this.record());
    this.handle('stopAndWait', () => this.stop());
  }

  private record(): void {
    if (this.state === 'START') return;
    if (this.state === 'PAUSE') {
      this.pausedMs += Date.now() - this.pausedAt;
      this.resetAssemblers();
      // As KMS does on every return to START: Recording again, once the file goes on.
      this.announced = false;
    } else {
      this.checkWritable();
      this.failed = false;
      this.startedAt = 0;
      this.pausedMs = 0;
      this.firstAudioAt = 0;
      this.clocks.clear();
      this.resetAssemblers();
    }
    this.setState('START');
    // Resuming or starting: the file can only continue from a keyframe.
    if (this.profile.video) this.requestKeyframeUpstream('video');
  }

  protected pause(): void {
    if (this.state !== 'START') return;
    this.pausedAt = Date.now();
    this.setState('PAUSE');
    this.raise('Paused');
  }

  /** Finishes the file; `stop` and `stopAndWait` both return once it is final on disk (or uploaded). */
  protected async stop(): Promise<void> {
    if (this.state === 'STOP') return;
    this.setState('STOP');
    await this.finishFile();
    this.raise('Stopped');
  }

  private checkWritable(): void {
    if (this.path === undefined) return; // an upload: the receiver answers when it starts
    try {
      mkdirSync(dirname(this.path), { recursive: true });
      accessSync(dirname(this.path), constants.W_OK);
    } catch (err) {
      const message = `Cannot record to ${this.uri}: ${(err as Error).message}`;
      this.raiseError('URI_ERROR', message);
      throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', message);
    }
  }

  private async finishFile(): Promise<void> {
    try {
      // Stopped before any media came: leave a valid file with no frames rather than none.
      if (!this.failed) this.writer ??= this.openWriter(DEFAULT_SIZE);
      this.writer?.close(this.profile.video ? 33 : 20);
    } catch (err) {
      this.raiseError('URI_ERROR', `Cannot finish ${this.uri}: ${(err as Error).message}`);
    }
    this.writer = undefined;
    this.announced = false;
    const upload = this.upload;
    this.upload = undefined;
    await upload?.finish();
  }

  private resetAssemblers(): void {
    this.assemblers.clear();
    for (const kind of ['audio', 'video'] as MediaKind[]) {
      this.assemblers.set(
        kind,
        new FrameAssembler(
          kind,
          (frame) => this.onFrame(kind, frame),
          () => kind === 'video' && this.requestKeyframeUpstream('video'),
        ),
      );
    }
  }

  private wants(kind: MediaKind): boolean {
    return kind === 'video' ? this.profile.video : this.profile.audio;
  }

  protected onInputPacket(kind: MediaKind, packet: RtpPacket, source: RtpFanout): void {
    if (this.state !== 'START' || !this.wants(kind)) return;
    if (!this.codecAccepted(kind, source)) return;
    if (!this.clocks.has(kind)) {
      this.clocks.set(kind, {
        arrivalMs: Date.now(),
        timestamp: NaN,
        clockRate: source.codec?.clockRate ?? (kind === 'audio' ? 48000 : 90000),
      });
    }
    this.assemblers.get(kind)?.push(packet);
  }

  private codecAccepted(kind: MediaKind, source: RtpFanout): boolean {
    const checked = this.codecChecked.get(kind);
    if (checked && checked.codec === source.codec) return checked.ok;
    const mime = source.codec?.mimeType.toLowerCase();
    const ok = !mime || mime === CODECS[kind];
    this.codecChecked.set(kind, { codec: source.codec, ok });
    if (!ok && !this.codecRefused.has(kind)) {
      this.codecRefused.add(kind);
      this.raiseError(
        'CODEC_MISMATCH',
        `The source sends ${mime}; ${this.profile.docType} recording needs ${CODECS[kind]} (no transcoding here)`,
      );
    }
    return ok;
  }

  private onFrame(kind: MediaKind, frame: EncodedFrame): void {
    const now = Date.now();
    if (!this.writer) {
      if (kind === 'audio') this.firstAudioAt ||= now;
      const videoStart = kind === 'video' && frame.keyframe;
      const audioAlone = kind === 'audio' && (!this.profile.video || now - this.firstAudioAt > AUDIO_ALONE_AFTER_MS);
      if (!videoStart && !audioAlone) return;
      const size = videoStart ? vp8KeyframeSize(frame.data) : undefined;
      try {
        this.writer = this.openWriter(size ?? DEFAULT_SIZE);
      } catch (err) {
        this.raiseError('URI_ERROR', `Cannot record to ${this.uri}: ${(err as Error).message}`);
        this.setState('STOP');
        return;
      }
      this.startedAt = now;
      this.pausedMs = 0;
      this.videoSize = size;
    }
    const clock = this.clocks.get(kind) as TrackClock;
    if (Number.isNaN(clock.timestamp)) {
      // The stream's first frame in the file: anchor its RTP clock to the wall clock.
      clock.timestamp = frame.timestamp;
      clock.arrivalMs = now;
    }
    const timeMs =
      clock.arrivalMs - this.startedAt + ((frame.timestamp - clock.timestamp) * 1000) / clock.clockRate - this.pausedMs;
    if (timeMs < 0) return;
    try {
      if (kind === 'video' && frame.keyframe) this.updateVideoSize(this.writer, frame);
      this.writer.addFrame(kind as TrackKind, timeMs, frame.data, frame.keyframe);
    } catch (err) {
      // A full disk (or a file size limit) must end this recording, once and in words, not
      // throw into the source's fan-out; the file is not touched again.
      this.failed = true;
      this.writer.abandon();
      this.writer = undefined;
      this.raiseError('URI_ERROR', `Cannot write ${this.uri}: ${(err as Error).message}`);
      void this.stop();
      return;
    }
    if (!this.announced) {
      this.announced = true;
      this.raise('Recording');
    }
  }

  /**
   * The header says the size of the latest keyframe: a file that began with audio alone had
   * only a guess, and a browser that starts small (as Chrome does while its bandwidth
   * estimate ramps up) sends its full size later.
   */
  private updateVideoSize(writer: WebmWriter, frame: EncodedFrame): void {
    const size = vp8KeyframeSize(frame.data);
    if (size && (size.width !== this.videoSize?.width || size.height !== this.videoSize.height)) {
      writer.setVideoSize(size.width, size.height);
      this.videoSize = size;
    }
  }

  private openWriter(size: { width: number; height: number }): WebmWriter {
    let target: number | HttpUpload;
    if (this.path !== undefined) {
      target = openRecordingFile(this.path, this.ctx.config.allowAnyPath);
    } else {
      const type = `${this.profile.docType === 'webm' ? 'video/webm' : 'video/x-matroska'}`;
      target = this.upload = new HttpUpload(this.uri, type, { allowPrivate: this.ctx.config.allowPrivateUrls }, (err) =>
        this.uploadFailed(err),
      );
    }
    return new WebmWriter(target, {
      docType: this.profile.docType,
      video: this.profile.video ? size : undefined,
      audio: this.profile.audio ? { channels: 2, sampleRate: 48000 } : undefined,
    });
  }

  /** The receiver of an upload refused it, failed, or fell behind: this recording ends. */
  private uploadFailed(err: Error): void {
    this.raiseError('URI_ERROR', `Cannot upload the recording to ${this.uri}: ${err.message}`);
    this.writer = undefined;
    this.upload = undefined;
    this.setState('STOP');
  }

  protected override onInputEnded(): void {
    if (this.stopOnEndOfStream) void this.stop();
  }

  protected override async dispose(): Promise<void> {
    // Released while recording: close the file properly rather than leave it truncated (an
    // upload is ended too, and its receiver given the time to answer).
    if (this.state !== 'STOP') await this.finishFile();
    this.upload?.abort();
    await super.dispose();
  }
}
