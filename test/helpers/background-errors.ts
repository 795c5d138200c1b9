// Errors that happen in callbacks no test awaits (an ICE candidate the browser or the media
// server refused, say). They are collected here, and test/setup/background-errors.ts fails the
// test during which they happened, so nothing is swallowed quietly.

const errors: string[] = [];

export function reportBackgroundError(what: string, err: unknown): void {
  const message = err instanceof Error ? err.message : typeof err === 'object' ? JSON.stringify(err) : String(err);
  errors.push(`${what}: ${message}`);
}

/** The errors reported since the last call, and forgets them. */
export function takeBackgroundErrors(): string[] {
  return errors.splice(0);
}
