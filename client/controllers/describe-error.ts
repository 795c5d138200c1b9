// An exception from the browser's media APIs, in words a user can act on.

export function describeError(err: unknown): string {
  if (err instanceof DOMException && err.name === 'NotAllowedError') return 'Camera access was denied';
  if (err instanceof DOMException && err.name === 'NotFoundError') return 'No camera or microphone was found';
  return err instanceof Error ? err.message : String(err);
}
