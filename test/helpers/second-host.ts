// A second host for tests: a network namespace of its own, joined to the test's namespace by a
// veth pair, with an address on each side (192.0.2.0/24, a documentation range: the two ends
// are this machine's own, and nothing leaves it). Programs run "on" it through nsenter. Only
// inside the private namespace npm test makes (where the test is root and alone).

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Only loopback exists: this process is in a private namespace and may add interfaces. */
export const inPrivateNamespace = (): boolean =>
  process.getuid?.() === 0 && Object.keys(networkInterfaces()).every((name) => name === 'lo');

export class SecondHost {
  private constructor(
    private readonly holder: ChildProcess,
    private readonly dir: string,
    /** This side's address, where the second host reaches us. */
    readonly localAddress: string,
    /** The second host's address. */
    readonly address: string,
  ) {}

  static async create(): Promise<SecondHost> {
    // A process that only holds the new namespace open; the namespace goes when it does.
    const holder = spawn('unshare', ['-n', 'sleep', 'infinity'], { stdio: 'ignore' });
    await new Promise<void>((ok, fail) => {
      holder.once('spawn', ok);
      holder.once('error', fail);
    });
    // Wait until the holder is in its own namespace (unshare, then exec of sleep).
    const ours = execFileSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).trim();
    for (let i = 0; i < 50; i++) {
      const theirs = execFileSync('readlink', [`/proc/${holder.pid}/ns/net`], { encoding: 'utf8' }).trim();
      if (theirs !== ours) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const pid = String(holder.pid);
    const there = (...args: string[]): void => void execFileSync('nsenter', ['-t', pid, '-n', ...args]);
    const host = new SecondHost(holder, mkdtempSync(join(tmpdir(), 'second-host-')), '192.0.2.1', '192.0.2.2');
    try {
      execFileSync('ip', ['link', 'add', 'host0', 'type', 'veth', 'peer', 'name', 'host1']);
      execFileSync('ip', ['link', 'set', 'host1', 'netns', pid]);
      execFileSync('ip', ['addr', 'add', '192.0.2.1/24', 'dev', 'host0']);
      execFileSync('ip', ['link', 'set', 'host0', 'up']);
      there('ip', 'link', 'set', 'lo', 'up');
      there('ip', 'addr', 'add', '192.0.2.2/24', 'dev', 'host1');
      there('ip', 'link', 'set', 'host1', 'up');
    } catch (err) {
      host.close(); // no namespace holder left behind by a set-up that failed half-way
      throw err;
    }
    return host;
  }

  /** A wrapper that runs `program` on this host, for tools that take an executable path. */
  wrap(program: string): string {
    const path = join(this.dir, `on-second-host-${program.split('/').at(-1)}`);
    writeFileSync(path, `#!/bin/sh\nexec nsenter -t ${this.holder.pid} -n ${program} "$@"\n`);
    chmodSync(path, 0o755);
    return path;
  }

  close(): void {
    this.holder.kill('SIGKILL');
    try {
      execFileSync('ip', ['link', 'del', 'host0'], { stdio: 'ignore' });
    } catch {
      // already gone with the namespace at its other end
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
