// Images that filters draw (an overlay, a chroma background), fetched from the URI an
// application gives: http(s) under the URL policy, or a file inside the media directory (a
// path or a file URI). A download lands in the filter's own temporary directory, which the
// filter removes when it is released; each URI is fetched once per filter. Only real images
// of a sane size get through: the bytes must start like PNG, JPEG, GIF, WebP or SVG, and the
// size their header declares must stay under MAX_IMAGE_PIXELS, read before anything decodes
// them (a 31 KB PNG can declare 16000x16000 pixels, 1 GiB once decoded).

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COULD_NOT_READ, fetchUnderPolicy, UrlRefused, type UrlPolicy } from '../../packages/url-policy';
import { KmsError } from '../protocol/errors';
import { resolveImageUri, type FileAccess } from './uri';

const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
export const MAX_IMAGE_PIXELS = 4096 * 4096;
const FETCH_TIMEOUT_MS = 10_000;

const illegal = (message: string): KmsError => new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', message);

type Format = 'png' | 'jpeg' | 'gif' | 'webp' | 'svg';

function formatOf(bytes: Buffer): Format | undefined {
  const starts = (...sig: number[]): boolean => sig.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47)) return 'png';
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(0x47, 0x49, 0x46, 0x38)) return 'gif';
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  if (/<svg[\s>]/i.test(bytes.subarray(0, 2048).toString('utf8'))) return 'svg';
  return undefined;
}

/** The width and height an image's header declares, without decoding it; undefined if unreadable. */
export function declaredSize(bytes: Buffer): { width: number; height: number } | undefined {
  const format = formatOf(bytes);
  if (bytes.length < 30 && format !== 'svg') return undefined;
  switch (format) {
    case 'png':
      return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
    case 'gif':
      return { width: bytes.readUInt16LE(6), height: bytes.readUInt16LE(8) };
    case 'webp': {
      const chunk = bytes.subarray(12, 16).toString('latin1');
      if (chunk === 'VP8X') return { width: bytes.readUIntLE(24, 3) + 1, height: bytes.readUIntLE(27, 3) + 1 };
      if (chunk === 'VP8L') {
        const bits = bytes.readUInt32LE(21);
        return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
      }
      return { width: bytes.readUInt16LE(26) & 0x3fff, height: bytes.readUInt16LE(28) & 0x3fff };
    }
    case 'jpeg': {
      // The first start-of-frame marker holds the size; other segments are skipped by length.
      for (let i = 2; i + 9 < bytes.length;) {
        if (bytes[i] !== 0xff) return undefined;
        const marker = bytes[i + 1]!;
        const length = bytes.readUInt16BE(i + 2);
        if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
          return { height: bytes.readUInt16BE(i + 5), width: bytes.readUInt16BE(i + 7) };
        }
        i += 2 + length;
      }
      return undefined;
    }
    case 'svg': {
      // NOTE: an SVG is drawn at its declared size (or its viewBox's); both are bounded.
      const root = /<svg\b[^>]*>/i.exec(bytes.toString('utf8'))?.[0] ?? '';
      const attr = (name: string): number => Number(new RegExp(`\\b${name}\\s*=\\s*["']\\s*([\\d.]+)`, 'i').exec(root)?.[1] ?? 0);
      const box = /\bviewBox\s*=\s*["']\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(root);
      return {
        width: Math.max(attr('width'), Number(box?.[1] ?? 0)),
        height: Math.max(attr('height'), Number(box?.[2] ?? 0)),
      };
    }
    default:
      return undefined;
  }
}

/** Refuses what is not an image, or one that would be too big once decoded. */
function checkImage(uri: string, bytes: Buffer): void {
  if (bytes.length > MAX_IMAGE_BYTES) throw illegal(`The image ${uri} is larger than ${MAX_IMAGE_BYTES} bytes`);
  if (!formatOf(bytes)) throw illegal(`${uri} is not an image (PNG, JPEG, GIF, WebP or SVG)`);
  const size = declaredSize(bytes);
  if (!size) throw illegal(`${uri} is not an image whose size can be read`);
  if (size.width * size.height > MAX_IMAGE_PIXELS) {
    throw illegal(
      `The image ${uri} is ${size.width}x${size.height} pixels; images are limited to ${MAX_IMAGE_PIXELS} pixels (4096x4096)`,
    );
  }
}

/** The images one filter fetched, one copy per URI; `dispose` removes them. */
export class ImageCache {
  private dir: Promise<string> | undefined;
  private readonly fetched = new Map<string, Promise<string>>();
  private disposed = false;

  constructor(
    private readonly access: FileAccess,
    private readonly policy: UrlPolicy,
    private readonly log?: { debug(obj: object, msg: string): void },
  ) {}

  /** The local path of the image at `uri`, downloading it if it is remote. */
  fetch(uri: string): Promise<string> {
    let path = this.fetched.get(uri);
    if (!path) {
      path = this.load(uri);
      this.fetched.set(uri, path);
      // A failure is not kept: the next call tries again.
      path.catch(() => this.fetched.delete(uri));
    }
    return path;
  }

  private async load(uri: string): Promise<string> {
    const target = resolveImageUri(uri, this.access);
    if (target.kind === 'file') {
      const bytes = await readFile(target.path).catch((err: Error) => {
        throw illegal(`Cannot read the image ${uri}: ${err.message}`);
      });
      checkImage(uri, bytes);
      return target.path;
    }
    let bytes: Buffer;
    try {
      bytes = await this.download(uri);
      checkImage(uri, bytes);
    } catch (err) {
      // NOTE: the same words whatever failed (refused address, HTTP error, a text page, a
      // server that hangs, a huge image), so that errors cannot map the network behind us.
      this.log?.debug({ uri, reason: (err as Error).message }, 'an image could not be fetched');
      throw illegal(`Cannot fetch the image ${uri}: ${COULD_NOT_READ}`);
    }
    // A download that finishes after the filter went must not make a directory nobody removes.
    if (this.disposed) throw illegal('The filter was released while its image downloaded');
    this.dir ??= mkdtemp(join(tmpdir(), 'kurento-stage-images-'));
    const path = join(await this.dir, `image-${this.fetched.size}`);
    await writeFile(path, bytes);
    return path;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.fetched.clear();
    const dir = this.dir;
    this.dir = undefined;
    if (dir) await rm(await dir, { recursive: true, force: true });
  }

  /** At most MAX_IMAGE_BYTES within FETCH_TIMEOUT_MS, under the URL policy. */
  private async download(uri: string): Promise<Buffer> {
    const deadline = AbortSignal.timeout(FETCH_TIMEOUT_MS);
    const response = await fetchUnderPolicy(uri, this.policy, { timeoutMs: FETCH_TIMEOUT_MS });
    // A server that drips its bytes is cut off at the deadline, not only one that goes quiet.
    const abort = (): void => void response.destroy(new UrlRefused(`no image within ${FETCH_TIMEOUT_MS} ms`));
    deadline.addEventListener('abort', abort);
    try {
      if (response.statusCode !== 200) throw new UrlRefused(`HTTP ${response.statusCode}`);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_IMAGE_BYTES) throw new UrlRefused(`more than ${MAX_IMAGE_BYTES} bytes`);
        chunks.push(chunk);
      }
      return Buffer.concat(chunks);
    } finally {
      deadline.removeEventListener('abort', abort);
      response.destroy();
    }
  }
}
