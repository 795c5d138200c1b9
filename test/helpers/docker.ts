// Tests of real KMS and MongoDB run under testcontainers, which needs a Docker engine. Where
// there is none (as on our development machines), they skip and say why, once per suite.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../../server/util/paths';

/**
 * The official KMS image that docker/kms/Dockerfile builds on (its KMS_IMAGE argument's
 * default): the real KMS every testcontainers suite runs, so that all of them, and
 * docker/compose.yml, meet the same one.
 */
export function kmsBaseImage(): string {
  const dockerfile = readFileSync(join(projectRoot, 'docker', 'kms', 'Dockerfile'), 'utf8');
  const image = /^ARG KMS_IMAGE=(\S+)$/m.exec(dockerfile)?.[1];
  if (!image) throw new Error('docker/kms/Dockerfile names no default KMS_IMAGE');
  return image;
}

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
