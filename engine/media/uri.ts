// Which URIs a recorder or player may touch. `file://` URIs must resolve inside the media
// directory, so a client of the media server cannot read or overwrite arbitrary files;
// players may also fetch http(s). Everything else is refused by name at construction.

import { isAbsolute, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KmsError } from '../protocol/errors';

export type MediaUri = { kind: 'file'; path: string; uri: string } | { kind: 'http'; uri: string };

/**
 * Where a filter's image is. KMS's image overlay and chroma try the string as a local path
 * first (OpenCV's imread), then download it; they never parse `file://`. Both forms work
 * here, so one URI works on KMS and on this engine: an absolute path (inside the media
 * directory), a file URI, or http(s).
 */
export function resolveImageUri(uri: string, mediaDir: string): MediaUri {
  if (!uri.startsWith('/')) return resolveMediaUri(uri, mediaDir, true);
  return { kind: 'file', path: insideMediaDir(resolve(uri), mediaDir, uri), uri };
}

export function resolveMediaUri(uri: string, mediaDir: string, allowHttp: boolean): MediaUri {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `'${uri}' is not a URI`);
  }
  if (url.protocol === 'file:') {
    let path: string;
    try {
      path = resolve(fileURLToPath(url));
    } catch (err) {
      throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `'${uri}' is not a usable file URI: ${(err as Error).message}`);
    }
    return { kind: 'file', path: insideMediaDir(path, mediaDir, uri), uri };
  }
  if (allowHttp && (url.protocol === 'http:' || url.protocol === 'https:')) return { kind: 'http', uri };
  const allowed = allowHttp ? 'file://, http:// or https://' : 'file://';
  throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `'${uri}' has an unsupported scheme; use ${allowed}`);
}

function insideMediaDir(path: string, mediaDir: string, uri: string): string {
  const inside = relative(resolve(mediaDir), path);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || inside.split(sep).includes('..')) {
    throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `'${uri}' is outside the media directory ${resolve(mediaDir)}`);
  }
  return path;
}
