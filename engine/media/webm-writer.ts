// Writes a WebM file from encoded frames (VP8 video, Opus audio), as a recorder needs it:
// playable while it grows, and seekable with the right duration once closed. Clusters are
// buffered and written whole (with a known size); a new one starts at each video keyframe
// so that every cue points at a keyframe. Closing writes the cues, then goes back to fill
// in the seek head, the duration and the segment size reserved at the start.

import { closeSync, writeSync } from 'node:fs';
import { ID, UNKNOWN_SIZE_8, element, float64, header, string, uint, vint, voidOf } from './ebml';

export interface WebmTracks {
  video?: { width: number; height: number };
  audio?: { channels: number; sampleRate: number };
  /** 'webm' (the default) or 'matroska' for .mkv; the layout is the same. */
  docType?: 'webm' | 'matroska';
}

export type TrackKind = 'video' | 'audio';

/** A cluster's timecode is 16-bit relative for its blocks; stay well inside it. */
const MAX_CLUSTER_MS = 5000;
/** A live stream's clusters: its receiver is never more than this behind. */
const LIVE_CLUSTER_MS = 1000;
/** libopus's look-ahead at 48 kHz, which every WebRTC Opus stream carries. */
const OPUS_PRE_SKIP = 312;

interface Block {
  track: number;
  timeMs: number;
  keyframe: boolean;
  data: Buffer;
}

/**
 * Where a live file goes when it is not a local file: bytes in order, never revisited. Such a
 * file is written as a live stream is (as GStreamer's matroskamux does with streamable=true):
 * no duration, no cues, the segment's size unknown.
 */
export interface ByteStream {
  write(bytes: Buffer): void;
}

export class WebmWriter {
  private readonly fd: number | undefined;
  private readonly stream: ByteStream | undefined;
  private position = 0;
  private readonly segmentDataStart: number;
  private readonly seekHeadAt: number;
  private readonly seekHeadSize: number;
  private readonly durationAt: number;
  private readonly infoAt: number;
  private readonly tracksAt: number;
  private readonly trackNumbers: Partial<Record<TrackKind, number>> = {};
  /** Where the video track's fixed-width PixelWidth element starts (PixelHeight follows it). */
  private videoSizeAt = -1;
  private cluster: { timeMs: number; blocks: Block[]; bytes: number } | undefined;
  private readonly cues: { timeMs: number; track: number; clusterAt: number }[] = [];
  private endMs = 0;
  private closed = false;
  bytesWritten = 0;

  /** `target` is an open file descriptor, which the writer then owns and closes, or a stream. */
  constructor(target: number | ByteStream, tracks: WebmTracks) {
    if (typeof target === 'number') this.fd = target;
    else this.stream = target;
    try {
      this.write(this.ebmlHeader(tracks.docType ?? 'webm'));
      this.write(header(ID.Segment, UNKNOWN_SIZE_8));
      this.segmentDataStart = this.position;
      this.seekHeadAt = this.position;
      this.seekHeadSize = this.seekHead(0, 0, 0).length;
      this.write(voidOf(this.seekHeadSize));
      this.infoAt = this.position;
      const info = this.info(this.stream ? undefined : 0);
      // The Duration float is the last 8 bytes of Info.
      this.durationAt = this.position + info.length - 8;
      this.write(info);
      this.tracksAt = this.position;
      const { buffer, videoSizeOffset } = this.tracks(tracks);
      if (videoSizeOffset >= 0) this.videoSizeAt = this.position + videoSizeOffset;
      this.write(buffer);
    } catch (err) {
      if (this.fd !== undefined) closeSync(this.fd);
      throw err;
    }
  }

  get durationMs(): number {
    return this.endMs;
  }

  has(kind: TrackKind): boolean {
    return this.trackNumbers[kind] !== undefined;
  }

  /** Adds one frame. Times are milliseconds from the start of the recording. */
  addFrame(kind: TrackKind, timeMs: number, data: Buffer, keyframe: boolean): void {
    const track = this.trackNumbers[kind];
    if (track === undefined || this.closed) return;
    const videoKey = kind === 'video' && keyframe;
    const audioOnly = this.trackNumbers.video === undefined;
    const c = this.cluster;
    // NOTE: a live stream's receiver gets each cluster whole, so its clusters are kept short.
    const maxMs = this.stream ? LIVE_CLUSTER_MS : MAX_CLUSTER_MS;
    if (!c || videoKey || timeMs - c.timeMs >= maxMs || c.bytes > 4 * 1024 * 1024) {
      this.flushCluster();
      const start = Math.max(Math.round(timeMs), c ? c.timeMs : 0);
      this.cluster = { timeMs: start, blocks: [], bytes: 0 };
      // A cue must land on a frame a decoder can start from.
      if (videoKey || audioOnly) this.cues.push({ timeMs: start, track, clusterAt: -1 });
    }
    const cluster = this.cluster as NonNullable<typeof this.cluster>;
    const t = Math.max(Math.round(timeMs), cluster.timeMs);
    cluster.blocks.push({ track, timeMs: t, keyframe: keyframe || kind === 'audio', data });
    cluster.bytes += data.length;
    this.endMs = Math.max(this.endMs, t);
  }

  /**
   * Sets the video track's picture size in the header already written: a recording that began
   * with audio alone learns the size only from its first video keyframe.
   */
  setVideoSize(width: number, height: number): void {
    if (this.videoSizeAt < 0 || this.closed || this.stream) return;
    this.writeAt(this.videoSizeAt, Buffer.concat(pixelSize(width, height)));
  }

  /** Writes what is buffered, the cues and the patched header; the file is final after this. */
  close(frameDurationMs = 0): void {
    if (this.closed) return;
    this.closed = true;
    if (this.stream) {
      this.flushCluster();
      return;
    }
    try {
      this.flushCluster();
      const cuesAt = this.position;
      const cues = this.cueElement();
      this.write(cues);
      const segmentSize = this.position - this.segmentDataStart;
      const rel = (at: number): number => at - this.segmentDataStart;
      this.writeAt(this.seekHeadAt, this.seekHead(rel(this.infoAt), rel(this.tracksAt), rel(cuesAt)));
      const duration = Buffer.alloc(8);
      duration.writeDoubleBE(this.endMs + frameDurationMs);
      this.writeAt(this.durationAt, duration);
      this.writeAt(this.segmentDataStart - 8, vint(segmentSize, 8));
    } finally {
      closeSync(this.fd!);
    }
  }

  /**
   * Gives the file up after a failed write: it is closed and nothing more is written. What
   * is on disk stays, playable up to its last whole cluster, as a file still growing is.
   */
  abandon(): void {
    if (this.closed) return;
    this.closed = true;
    this.cluster = undefined;
    if (this.fd !== undefined) closeSync(this.fd);
  }

  private flushCluster(): void {
    const c = this.cluster;
    this.cluster = undefined;
    if (!c || c.blocks.length === 0) {
      // A cue for a cluster that never got written points nowhere: drop it.
      if (c && this.cues.at(-1)?.clusterAt === -1) this.cues.pop();
      return;
    }
    const pending = this.cues.at(-1);
    if (pending && pending.clusterAt === -1) pending.clusterAt = this.position - this.segmentDataStart;
    const blocks = c.blocks.map((b) => {
      const head = Buffer.alloc(4);
      head.writeUInt8(0x80 | b.track, 0); // track number as a one-byte vint
      head.writeInt16BE(b.timeMs - c.timeMs, 1);
      head.writeUInt8(b.keyframe ? 0x80 : 0x00, 3);
      return element(ID.SimpleBlock, [head, b.data]);
    });
    this.write(element(ID.Cluster, [uint(ID.Timecode, c.timeMs), ...blocks]));
  }

  private ebmlHeader(docType: string): Buffer {
    return element(ID.EBML, [
      uint(ID.EBMLVersion, 1),
      uint(ID.EBMLReadVersion, 1),
      uint(ID.EBMLMaxIDLength, 4),
      uint(ID.EBMLMaxSizeLength, 8),
      string(ID.DocType, docType),
      uint(ID.DocTypeVersion, 4),
      uint(ID.DocTypeReadVersion, 2),
    ]);
  }

  /** Fixed-width positions, so the reserved space fits the final seek head exactly. */
  private seekHead(info: number, tracks: number, cues: number): Buffer {
    const seek = (id: number, pos: number): Buffer =>
      element(ID.Seek, [element(ID.SeekID, Buffer.from(id.toString(16), 'hex')), uint(ID.SeekPosition, pos, 8)]);
    return element(ID.SeekHead, [seek(ID.Info, info), seek(ID.Tracks, tracks), seek(ID.Cues, cues)]);
  }

  /** Info; a live stream's has no Duration (it is not known until the end). */
  private info(durationMs: number | undefined): Buffer {
    return element(ID.Info, [
      uint(ID.TimecodeScale, 1_000_000),
      string(ID.MuxingApp, 'kurento-stage'),
      string(ID.WritingApp, 'kurento-stage engine'),
      ...(durationMs === undefined ? [] : [float64(ID.Duration, durationMs)]),
    ]);
  }

  /** The Tracks element, and where in it the video size can be patched (-1 without video). */
  private tracks(tracks: WebmTracks): { buffer: Buffer; videoSizeOffset: number } {
    const entries: Buffer[] = [];
    let videoSize: Buffer | undefined;
    let next = 1;
    if (tracks.video) {
      const n = (this.trackNumbers.video = next++);
      videoSize = Buffer.concat(pixelSize(tracks.video.width, tracks.video.height));
      entries.push(
        element(ID.TrackEntry, [
          uint(ID.TrackNumber, n),
          uint(ID.TrackUID, n),
          uint(ID.TrackType, 1),
          string(ID.CodecID, 'V_VP8'),
          element(ID.Video, [videoSize]),
        ]),
      );
    }
    if (tracks.audio) {
      const n = (this.trackNumbers.audio = next++);
      const { channels, sampleRate } = tracks.audio;
      const opusHead = Buffer.alloc(19);
      opusHead.write('OpusHead', 0, 'ascii');
      opusHead.writeUInt8(1, 8);
      opusHead.writeUInt8(channels, 9);
      opusHead.writeUInt16LE(OPUS_PRE_SKIP, 10);
      opusHead.writeUInt32LE(sampleRate, 12);
      entries.push(
        element(ID.TrackEntry, [
          uint(ID.TrackNumber, n),
          uint(ID.TrackUID, n),
          uint(ID.TrackType, 2),
          string(ID.CodecID, 'A_OPUS'),
          element(ID.CodecPrivate, opusHead),
          uint(ID.CodecDelay, Math.round((OPUS_PRE_SKIP / 48000) * 1e9)),
          uint(ID.SeekPreRoll, 80_000_000),
          element(ID.Audio, [float64(ID.SamplingFrequency, sampleRate), uint(ID.Channels, channels)]),
        ]),
      );
    }
    const buffer = element(ID.Tracks, entries);
    // The size elements are written at a fixed width, so a later patch fits the same bytes.
    return { buffer, videoSizeOffset: videoSize ? buffer.indexOf(videoSize, buffer.indexOf('V_VP8')) : -1 };
  }

  private cueElement(): Buffer {
    const points = this.cues
      .filter((c) => c.clusterAt >= 0)
      .map((c) =>
        element(ID.CuePoint, [
          uint(ID.CueTime, c.timeMs),
          element(ID.CueTrackPositions, [uint(ID.CueTrack, c.track), uint(ID.CueClusterPosition, c.clusterAt)]),
        ]),
      );
    return element(ID.Cues, points);
  }

  private write(buf: Buffer): void {
    if (this.stream) this.stream.write(buf);
    else writeFully(this.fd!, buf, this.position);
    this.position += buf.length;
    this.bytesWritten = this.position;
  }

  private writeAt(at: number, buf: Buffer): void {
    writeFully(this.fd!, buf, at);
  }
}

/** A write may take fewer bytes than given (a full disk, a signal): the rest is written after. */
function writeFully(fd: number, buf: Buffer, position: number): void {
  for (let done = 0; done < buf.length;) {
    const n = writeSync(fd, buf, done, buf.length - done, position + done);
    if (n <= 0) throw new Error(`the file took ${done} of ${buf.length} bytes`);
    done += n;
  }
}

/** PixelWidth and PixelHeight, two bytes each whatever the value (VP8 sizes are 14-bit). */
function pixelSize(width: number, height: number): Buffer[] {
  return [uint(ID.PixelWidth, width, 2), uint(ID.PixelHeight, height, 2)];
}
