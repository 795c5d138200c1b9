// A real coturn (Debian's turnserver) on loopback for the TURN tests, with either of its two
// ways to check credentials: a fixed user (long-term credentials) or the REST scheme's shared
// secret (use-auth-secret), with which the app mints credentials that expire.

import { spawn, type ChildProcess } from 'node:child_process';
import { eventually, freePort } from './app';

export type CoturnAuth = { user: string; password: string } | { secret: string };

export class Coturn {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly output: () => string,
  ) {}

  static async start(auth: CoturnAuth): Promise<Coturn> {
    const port = await freePort();
    const relayFrom = await freePort();
    const credentials =
      'secret' in auth
        ? ['--use-auth-secret', `--static-auth-secret=${auth.secret}`]
        : [`--user=${auth.user}:${auth.password}`, '--lt-cred-mech'];
    const child = spawn(
      'turnserver',
      [
        '-n',
        '--listening-ip=127.0.0.1',
        '--relay-ip=127.0.0.1',
        `--listening-port=${port}`,
        `--min-port=${relayFrom}`,
        `--max-port=${relayFrom + 50}`,
        ...credentials,
        '--realm=stage.test',
        '--no-cli',
        '--no-tls',
        '--no-dtls',
        '--allow-loopback-peers',
        '--log-file=stdout',
        '--simple-log',
        // Each allocation's user name is logged: tests see whose credentials coturn took.
        '--verbose',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await eventually(
      () => log,
      (l) => /listener opened|Total General servers/i.test(l) || child.exitCode !== null,
      10_000,
      'coturn to listen',
    );
    if (child.exitCode !== null) throw new Error(`coturn did not start: ${log}`);
    return new Coturn(child, port, () => log);
  }

  /** What coturn has logged so far. */
  get log(): string {
    return this.output();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}
