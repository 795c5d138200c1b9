// Tests of real KMS and MongoDB run under testcontainers, which needs a Docker engine. Where
// there is none (as on our development machines), they skip and say why, once per suite.

import { existsSync } from 'node:fs';

export function dockerUnavailableReason(): string | undefined {
  if (process.env.DOCKER_HOST) return undefined;
  if (existsSync('/var/run/docker.sock')) return undefined;
  return 'no Docker engine here (no DOCKER_HOST, no /var/run/docker.sock); testcontainers cannot start the container';
}

/** `describe`, or `describe.skip` with the reason printed, when Docker is missing. */
export function describeWithDocker(name: string, body: () => void): void {
  const reason = dockerUnavailableReason();
  if (reason) {
    // Straight to stderr: jest swallows console output of a file whose tests all skip.
    process.stderr.write(`SKIPPED "${name}": ${reason}\n`);
    describe.skip(`${name} [skipped: ${reason}]`, body);
  } else {
    describe(name, body);
  }
}
