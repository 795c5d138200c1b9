// Which URIs a recorder, player or filter image may touch. `file://` URIs (and an image's
// plain path) must resolve inside the media directory, so a client of the media server cannot
// read or overwrite arbitrary files, unless the engine was started standalone with
// --allow-any-path, as KMS reads and writes wherever its user may. Players, recorders and
// images may also use http(s). Everything else is refused by name at construction.

import { existsSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KmsError } from '../protocol/errors';

/** Where files may be: the media directory, or anywhere with --allow-any-path. */
export interface FileAccess {
  mediaDir: string;
  allowAnyPath: boolean;
  /** Read-only folders that images may also come from (the app's demo assets). */
  imageDirs?: readonly string[];
}

export type MediaUri = { kind: 'file'; path: string; uri: string } | { kind: 'http'; uri: string };

/**
 * Where a filter's image is. KMS's image overlay and chroma try the string as a local path
 * first (OpenCV's imread), then download it; they never parse `file://`. Both forms work
 * here, so one URI works on KMS and on this engine: an absolute path (inside the media
 * directory), a file URI, or http(s).
 */
export function resolveImageUri(uri: string, access: FileAccess): MediaUri {
  const readable = [resolve(access.mediaDir), ...(access.imageDirs ?? [])];
  if (!uri.startsWith('/')) return resolveMediaUri(uri, access, true, readable);
  return { kind: 'file', path: allowedPath(resolve(uri), access, uri, readable), uri };
}

/** `dirs`: where the file may be; the media directory unless an image may also be elsewhere. */
export function resolveMediaUri(
  uri: string,
  access: FileAccess,
  allowHttp: boolean,
  dirs: readonly string[] = [resolve(access.mediaDir)],
): MediaUri {
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
    return { kind: 'file', path: allowedPath(path, access, uri, dirs), uri };
  }
  if (allowHttp && (url.protocol === 'http:' || url.protocol === 'https:')) return { kind: 'http', uri };
  const allowed = allowHttp ? 'file://, http:// or https://' : 'file://';
  throw new KmsError('MEDIA_OBJECT_ILLEGAL_PARAM_ERROR', `'${uri}' has an unsupported scheme; use ${allowed}`);
}

/**
 * Where a path really leads: symbolic links resolved for the part that exists, the rest (a
 * recording not yet written, its new folders) appended as given.
 */
export function realPathOf(path: string): string {
  const missing: string[] = [];
  let existing = resolve(path);
  while (!existsSync(existing) && dirname(existing) !== existing) {
    missing.unshift(basename(existing));
    existing = dirname(existing);
  }
  try {
    return join(realpathSync(existing), ...missing);
  } catch {
    return resolve(path); // a dangling link or no permission: judged as written
  }
}

function allowedPath(path: string, access: FileAccess, uri: string, dirs: readonly string[]): string {
  if (access.allowAnyPath) return path;
  // NOTE: on real paths, so a symbolic link inside the media directory cannot lead out of it.
  const real = realPathOf(path);
  const inside = (dir: string): boolean => {
    const rel = relative(realPathOf(dir), real);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) && !rel.split(sep).includes('..');
  };
  if (!dirs.some(inside)) {
    throw new KmsError(
      'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR',
      `'${uri}' is outside the media directory ${resolve(access.mediaDir)} (a standalone engine started with --allow-any-path takes any path)`,
    );
  }
  return path;
}
