// The media repository: recordings in MEDIA_DIR under names the server makes, with their
// metadata in the store. The media server writes the files through its own view of the same
// directory (KMS_MEDIA_DIR, when KMS runs in a container with the volume mounted elsewhere),
// so a recording has two addresses: the URI the media server is given, and the local path.
// A finished recording is measured with ffprobe and gets a JPEG thumbnail from ffmpeg.

import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { Logger } from '../logging';
import type { Webhooks } from '../webhooks/webhooks';
import type { Page, PageQuery, RecordingRecord, Store } from '../store/store';

const execFileAsync = promisify(execFile);
/** ffprobe reads a header and ffmpeg one frame: seconds at most, unless a file is hostile. */
const TOOL_TIMEOUT_MS = 30_000;
const run = (command: string, args: string[], timeoutMs: number): Promise<{ stdout: string }> =>
  execFileAsync(command, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024 });

export type RecordingMode = 'both' | 'video-only' | 'audio-only';

export const PROFILES: Record<RecordingMode, string> = {
  both: 'WEBM',
  'video-only': 'WEBM_VIDEO_ONLY',
  'audio-only': 'WEBM_AUDIO_ONLY',
};

/** A recording being made: where the media server writes it, and what it will be called. */
export interface PendingRecording {
  id: string;
  file: string;
  profile: string;
  /** The URI to give the RecorderEndpoint (or a PlayerEndpoint, later). */
  uri: string;
  createdAt: Date;
}

export interface RecordingView extends RecordingRecord {
  /** The file is gone from MEDIA_DIR although the metadata remains. */
  missing: boolean;
}

export class MediaRepository {
  readonly dir: string;
  private readonly serverDir: string;
  /** Recordings stored since start, with their bytes and seconds, for the metrics. */
  readonly written = { recordings: 0, bytes: 0, seconds: 0 };
  /** Told when a recording starts and when it is stored (webhooks). */
  private webhooks: Pick<Webhooks, 'emit'> | undefined;

  constructor(
    dir: string,
    serverDir: string | undefined,
    private readonly store: Store,
    private readonly log: Logger,
    /** How long ffprobe and ffmpeg may take on one file before they are killed. */
    private readonly toolTimeoutMs = TOOL_TIMEOUT_MS,
  ) {
    this.dir = resolve(dir);
    this.serverDir = serverDir ?? this.dir;
  }

  /**
   * Creates MEDIA_DIR and reports, without failing, files that have no metadata and
   * metadata whose file is gone: both happen after a crash or a hand-made cleanup.
   */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const known = await this.store.allRecordingFiles();
    const files = new Set(await readdir(this.dir));
    const listed = new Set(known.flatMap((r) => [r.file, r.thumbnail].filter((f): f is string => !!f)));
    const orphans = [...files].filter((f) => /\.(webm|mkv|mp4)$/.test(f) && !listed.has(f));
    const missing = known.filter((r) => !files.has(r.file)).map((r) => r.id);
    if (orphans.length > 0) this.log.warn({ files: orphans }, 'media files without metadata in MEDIA_DIR (left untouched)');
    if (missing.length > 0) this.log.warn({ recordings: missing }, 'recordings whose file is missing from MEDIA_DIR');
  }

  /** Where the recordings' life cycle is announced (the app's webhooks). */
  announceTo(webhooks: Pick<Webhooks, 'emit'>): void {
    this.webhooks = webhooks;
  }

  /** Names a new recording; nothing exists until the media server writes it. */
  create(mode: RecordingMode): PendingRecording {
    const id = randomUUID();
    const file = `${id}.webm`;
    const profile = PROFILES[mode];
    this.webhooks?.emit('recordingStarted', { recordingId: id, profile });
    return { id, file, profile, uri: this.uriOf(file), createdAt: new Date() };
  }

  /** The media server's file URI of a file here: what players and recorders take. */
  uriOf(file: string): string {
    return pathToFileURL(this.serverPathOf(file)).href;
  }

  /** The media server's path of a file here. */
  serverPathOf(file: string): string {
    return join(this.serverDir, file);
  }

  pathOf(file: string): string {
    return join(this.dir, file);
  }

  /** Measures the finished file, takes its thumbnail, and stores the metadata. */
  async finish(
    pending: PendingRecording,
    origin: { demo: string; sessionId?: string; participants: string[] },
  ): Promise<RecordingRecord | undefined> {
    const path = this.pathOf(pending.file);
    const size = await stat(path).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) {
      this.log.warn({ recording: pending.id }, 'the media server wrote no file for this recording');
      return undefined;
    }
    const durationMs = await probeDuration(path, this.toolTimeoutMs);
    const thumbnail = `${pending.id}.jpg`;
    const hasThumbnail = await takeThumbnail(path, this.pathOf(thumbnail), durationMs, this.toolTimeoutMs);
    const record: RecordingRecord = {
      id: pending.id,
      file: pending.file,
      profile: pending.profile,
      sizeBytes: size,
      durationMs,
      createdAt: pending.createdAt,
      ...origin,
      ...(hasThumbnail ? { thumbnail } : {}),
    };
    await this.store.addRecording(record);
    this.written.recordings++;
    this.written.bytes += size;
    this.written.seconds += (durationMs ?? 0) / 1000;
    this.log.info({ recording: record.id, durationMs, size }, 'recording stored');
    this.webhooks?.emit('recordingReady', {
      recordingId: record.id,
      demo: record.demo,
      ...(record.sessionId ? { sessionId: record.sessionId } : {}),
      participants: record.participants,
      sizeBytes: size,
      ...(durationMs !== undefined ? { durationMs } : {}),
    });
    return record;
  }

  async list(page: PageQuery): Promise<Page<RecordingView>> {
    const result = await this.store.listRecordings(page);
    return { ...result, items: result.items.map((r) => this.view(r)) };
  }

  async get(id: string): Promise<RecordingView | undefined> {
    const record = await this.store.getRecording(id);
    return record && this.view(record);
  }

  /** Removes the files and the metadata; false when there was no such recording. */
  async delete(id: string): Promise<boolean> {
    const record = await this.store.getRecording(id);
    if (!record) return false;
    for (const file of [record.file, record.thumbnail]) {
      if (file) await unlink(this.pathOf(file)).catch(() => undefined);
    }
    await this.store.deleteRecording(id);
    this.log.info({ recording: id }, 'recording deleted');
    return true;
  }

  private view(record: RecordingRecord): RecordingView {
    return { ...record, missing: !existsSync(this.pathOf(record.file)) };
  }
}

/** The container's duration in ms, or 0 when ffprobe is missing or cannot read it. */
async function probeDuration(path: string, timeoutMs: number): Promise<number> {
  try {
    const { stdout } = await run(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path],
      timeoutMs,
    );
    const seconds = Number(stdout.trim());
    return Number.isFinite(seconds) ? Math.round(seconds * 1000) : 0;
  } catch {
    return 0;
  }
}

/** A 320 px wide frame from a second in (or the middle of a shorter file). */
async function takeThumbnail(path: string, out: string, durationMs: number, timeoutMs: number): Promise<boolean> {
  const at = Math.min(1, durationMs / 2000).toFixed(2);
  try {
    await run('ffmpeg', ['-v', 'error', '-y', '-ss', at, '-i', path, '-frames:v', '1', '-vf', 'scale=320:-2', out], timeoutMs);
    return existsSync(out);
  } catch {
    return false; // audio-only recordings have no frame to show
  }
}
