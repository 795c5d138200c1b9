// What a user's player would see in a media file, read with ffprobe and ffmpeg: the streams,
// the duration, and whether a frame decodes after seeking into the middle.

import { execFile } from 'node:child_process';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Probe {
  /** ffprobe's format name ('matroska,webm' for both WebM and MKV). */
  format: string;
  /** The EBML header's DocType: 'webm' or 'matroska'. */
  docType: string;
  durationSeconds: number;
  streams: { codec: string; type: string; width?: number; height?: number }[];
}

export async function probe(path: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path]);
  const info = JSON.parse(stdout) as {
    format: { duration?: string; format_name: string };
    streams: { codec_name: string; codec_type: string; width?: number; height?: number }[];
  };
  return {
    format: info.format.format_name,
    docType: await ebmlDocType(path),
    durationSeconds: Number(info.format.duration ?? NaN),
    streams: info.streams.map((s) => ({ codec: s.codec_name, type: s.codec_type, width: s.width, height: s.height })),
  };
}

/** The DocType string of a Matroska file's EBML header (element 0x4282, a one-byte size). */
async function ebmlDocType(path: string): Promise<string> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(64), 0, 64, 0);
    const at = buffer.subarray(0, bytesRead).indexOf(Buffer.from([0x42, 0x82]));
    if (at < 0 || at + 3 > bytesRead) return '';
    const size = (buffer[at + 2] ?? 0) & 0x7f;
    return buffer.subarray(at + 3, at + 3 + size).toString('ascii');
  } finally {
    await file.close();
  }
}

/** Decodes `seconds` of `kind` after seeking to `at`; returns how many bytes came out raw. */
export async function decodedBytesAfterSeek(path: string, at: number, kind: 'video' | 'audio', seconds = 0.5): Promise<number> {
  const map = kind === 'video' ? ['-map', '0:v:0', '-f', 'rawvideo', '-pix_fmt', 'gray'] : ['-map', '0:a:0', '-f', 's16le'];
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-ss', String(at), '-i', path, '-t', String(seconds), ...map, '-'], {
    encoding: 'buffer',
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout.length;
}

/** The picture size of the last keyframe in the file, as the decoder sees it. */
export async function lastKeyframeSize(path: string): Promise<[number, number]> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-select_streams',
    'v:0',
    '-skip_frame',
    'nokey',
    '-show_entries',
    'frame=width,height',
    '-of',
    'csv=p=0',
    path,
  ]);
  const last = stdout.trim().split('\n').at(-1) ?? '';
  const [width, height] = last.split(',').map(Number);
  return [width ?? 0, height ?? 0];
}

/** First and last packet time (s) of each stream type, from the container's timestamps. */
export async function streamSpans(path: string): Promise<Record<string, { first: number; last: number }>> {
  const { stdout } = await run(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'packet=pts_time,codec_type', '-of', 'csv=p=0', path],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const spans: Record<string, { first: number; last: number }> = {};
  for (const line of stdout.trim().split('\n')) {
    const [type, pts] = line.split(',');
    const t = Number(pts);
    if (!type || !Number.isFinite(t)) continue;
    const s = (spans[type] ??= { first: t, last: t });
    s.first = Math.min(s.first, t);
    s.last = Math.max(s.last, t);
  }
  return spans;
}

/** How many video frames of the file decode, read to its end (for live files with no duration). */
export async function decodedVideoFrames(path: string): Promise<number> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames',
    '-of',
    'csv=p=0',
    path,
  ]);
  return Number(stdout.trim());
}
