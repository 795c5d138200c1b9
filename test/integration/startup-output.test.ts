// What an operator sees when the server starts, as the built process prints it: one line
// with the URL to open and no configuration dump at info; a port already in use gives one
// line naming PORT, exit code 1, and no engine left running; at a terminal the engine's lines
// are as readable as the server's (pino-pretty), not JSON.

import { spawn, execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { eventually } from '../helpers/app';
import { startServer } from '../helpers/server-process';

const SERVER = resolve(__dirname, '../../dist/server/index.js');

/** The embedded engines running now (their command lines name dist/engine/main.js). */
function engines(): string[] {
  try {
    return execFileSync('pgrep', ['-f', 'dist/engine/main.js'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  } catch (err) {
    // pgrep exits 1 when nothing matches; anything else (no pgrep at all) is a real failure.
    if ((err as { status?: number }).status === 1) return [];
    throw err;
  }
}

test('one line says where to go, and the configuration is not dumped at info', async () => {
  const server = await startServer({ LOG_LEVEL: 'info' });
  try {
    const ready = server.lines.filter((l) => l.includes('Kurento Stage is ready: open http://127.0.0.1:'));
    expect(ready).toHaveLength(1);
    expect(server.lines.some((l) => /"msg":"configuration"/.test(l))).toBe(false);
  } finally {
    server.child.kill('SIGTERM');
    await server.exited;
  }
});

test('a port in use: one line naming PORT, exit code 1, no engine left behind', async () => {
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  const before = engines();
  try {
    const child = spawn(process.execPath, [SERVER], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.resume();
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `kurento-stage: port ${port} on 127.0.0.1 is in use; set PORT to another port (for example PORT=8081)`,
    ]);
    await eventually(engines, (now) => now.length === before.length, 10_000, 'the engine to be gone');
  } finally {
    blocker.close();
  }
});

test("at a terminal, the engine's lines are pretty like the server's", async () => {
  // `script` gives the server a pseudo-terminal, as a person's shell would.
  const child = spawn('script', ['-qfec', `${process.execPath} ${SERVER}`, '/dev/null'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
    // Its own process group, so the server under `script` is ended with it.
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await eventually(
      () => out,
      (o) => o.includes('Kurento Stage is ready'),
      20_000,
      'the ready line',
    );
    // eslint-disable-next-line no-control-regex
    const lines = out.replace(/\x1b\[[0-9;]*m/g, '').split(/\r?\n/);
    const engine = lines.find((l) => l.includes('Kurento Protocol on ws://'));
    expect(engine).toBeDefined();
    expect(engine!.trimStart().startsWith('{')).toBe(false);
    expect(engine).toMatch(/INFO/);
    expect(lines.filter((l) => l.trimStart().startsWith('{"level"'))).toEqual([]);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
});
