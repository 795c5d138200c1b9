/** Ends an exhaustive switch: the compiler proves this is never reached. */
export function assertUnreachable(value: never): never {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
}
