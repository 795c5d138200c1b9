// Images that filters draw (an overlay, a chroma background), fetched from the URI an
// application gives: http(s), or a file inside the media directory (a path or a file URI). A
// download lands in the filter's own temporary directory, which the filter removes when
// it is released. Only real images get through: the bytes must start like PNG, JPEG, GIF,
// WebP or SVG, so a wrong URL fails here in words, not later inside GStreamer.

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KmsError } from '../protocol/errors';
import { resolveImageUri, type FileAccess } from './uri';

const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const FETCH_TIMEOUT_MS = 10_000;

function looksLikeImage(bytes: Buffer): boolean {
  const starts = (...sig: number[]): boolean => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47) || starts(0xff, 0xd8, 0xff) || starts(0x47, 0x49, 0x46, 0x38)) return true;
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return true;
  return /<svg[\s>]/i.test(bytes.subarray(0, 2048).toString('utf8'));
}

const illegal = (message: string): KmsError => new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', message);

/** A directory of images one filter fetched; `dispose` removes it. */
export class ImageCache {
  private dir: Promise<string> | undefined;
  private count = 0;
  private disposed = false;

  constructor(private readonly access: FileAccess) {}

  /** The local path of the image at `uri`, downloading it if it is remote. */
  async fetch(uri: string): Promise<string> {
    const target = resolveImageUri(uri, this.access);
    let bytes: Buffer;
    if (target.kind === 'file') {
      bytes = await readFile(target.path).catch((err: Error) => {
        throw illegal(`Cannot read the image ${uri}: ${err.message}`);
      });
    } else {
      bytes = await download(uri);
    }
    if (bytes.length > MAX_IMAGE_BYTES) throw illegal(`The image ${uri} is larger than ${MAX_IMAGE_BYTES} bytes`);
    if (!looksLikeImage(bytes)) throw illegal(`${uri} is not an image (PNG, JPEG, GIF, WebP or SVG)`);
    if (target.kind === 'file') return target.path;
    // A download that finishes after the filter went must not make a directory nobody removes.
    if (this.disposed) throw illegal('The filter was released while its image downloaded');
    this.dir ??= mkdtemp(join(tmpdir(), 'kurento-stage-images-'));
    const path = join(await this.dir, `image-${++this.count}`);
    await writeFile(path, bytes);
    return path;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const dir = this.dir;
    this.dir = undefined;
    if (dir) await rm(await dir, { recursive: true, force: true });
  }
}

async function download(uri: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(uri, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'follow' });
  } catch (err) {
    throw illegal(`Cannot fetch the image ${uri}: ${(err as Error).message}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw illegal(`Cannot fetch the image ${uri}: HTTP ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_IMAGE_BYTES) {
    await response.body?.cancel();
    throw illegal(`The image ${uri} is larger than ${MAX_IMAGE_BYTES} bytes`);
  }
  // Read at most the limit, whatever the server claimed.
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  for (let read = await reader?.read(); reader && read && !read.done; read = await reader.read()) {
    const chunk = read.value;
    size += chunk.length;
    if (size > MAX_IMAGE_BYTES) {
      await reader.cancel();
      throw illegal(`The image ${uri} is larger than ${MAX_IMAGE_BYTES} bytes`);
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}
