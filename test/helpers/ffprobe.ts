// What a user's player would see in a media file, read with ffprobe and ffmpeg: the streams,
// the duration, and whether a frame decodes after seeking into the middle.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Probe {
  durationSeconds: number;
  streams: { codec: string; type: string; width?: number; height?: number }[];
}

export async function probe(path: string): Promise<Probe> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', path]);
  const info = JSON.parse(stdout) as {
    format: { duration?: string };
    streams: { codec_name: string; codec_type: string; width?: number; height?: number }[];
  };
  return {
    durationSeconds: Number(info.format.duration ?? NaN),
    streams: info.streams.map((s) => ({ codec: s.codec_name, type: s.codec_type, width: s.width, height: s.height })),
  };
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
