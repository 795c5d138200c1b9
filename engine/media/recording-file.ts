// Opening the file a recorder writes. The path has already been checked to lie inside the
// media directory (uri.ts, on real paths), and here the open itself refuses a symlink in the
// last place (O_NOFOLLOW), and refuses to replace a file this engine did not write: a
// recorder pointed at a demo asset or another user's recording must not overwrite it. A file
// the engine itself recorded may be recorded again, as the tutorials do with one fixed name.
// A standalone engine started with --allow-any-path writes as KMS does, over any file.

import { constants, existsSync, openSync } from 'node:fs';

/** Files this process created, by absolute path. */
const written = new Set<string>();

export function openRecordingFile(path: string, allowAnyPath: boolean): number {
  const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW, O_EXCL } = constants;
  const mayReplace = allowAnyPath || written.has(path);
  if (!mayReplace && existsSync(path)) {
    throw new Error(`${path} exists and was not recorded by this media server; it is not overwritten`);
  }
  let fd: number;
  try {
    fd = openSync(path, O_WRONLY | O_CREAT | O_NOFOLLOW | (mayReplace ? O_TRUNC : O_EXCL), 0o644);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP')
      throw new Error(`${path} is a symbolic link; recorders do not follow them`);
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new Error(`${path} appeared while opening it; it is not overwritten`);
    throw err;
  }
  written.add(path);
  return fd;
}
