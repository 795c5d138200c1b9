// The media repository's start-up check: files without metadata and metadata without a file
// are reported (never fatal), and a listing marks the missing file instead of failing.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { MediaRepository } from '../../server/media/repository';
import { EmbeddedStore } from '../../server/store/embedded-store';

describe('media repository start-up check', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'repo-test-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('reports orphan files and missing files, and lists the missing one as missing', async () => {
    const store = new EmbeddedStore(join(dir, 'data'));
    await store.open();
    const mediaDir = join(dir, 'media');
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
    const repo = new MediaRepository(mediaDir, undefined, store, log);
    await repo.open();
    writeFileSync(join(mediaDir, 'stray.webm'), 'x');
    const id = '00000000-0000-4000-8000-000000000001';
    await store.addRecording({
      id,
      file: `${id}.webm`,
      profile: 'WEBM',
      sizeBytes: 1,
      durationMs: 1,
      createdAt: new Date(),
      demo: 'recording',
      participants: [],
    });
    await repo.open();
    expect(warnings.join('\n')).toMatch(/stray\.webm.*media files without metadata/);
    expect(warnings.join('\n')).toMatch(new RegExp(`${id}.*recordings whose file is missing`));
    const page = await repo.list({ limit: 10, offset: 0 });
    expect(page.items).toEqual([expect.objectContaining({ id, missing: true })]);
    expect(repo.uriOf(`${id}.webm`)).toBe(`file://${join(mediaDir, `${id}.webm`)}`);
    await store.close();
  });

  test('KMS_MEDIA_DIR changes the URI the media server is given, not the local path', async () => {
    const store = new EmbeddedStore(join(dir, 'data'));
    await store.open();
    const repo = new MediaRepository(join(dir, 'media'), '/recordings', store, pino({ level: 'silent' }));
    expect(repo.create('both').uri).toMatch(/^file:\/\/\/recordings\/[0-9a-f-]{36}\.webm$/);
    expect(repo.pathOf('a.webm')).toBe(join(dir, 'media', 'a.webm'));
    await store.close();
  });

  test('a file that ffprobe and ffmpeg would read for ever (a FIFO with no writer) is given up after the tool timeout', async () => {
    const store = new EmbeddedStore(join(dir, 'data'));
    await store.open();
    const repo = new MediaRepository(join(dir, 'media'), undefined, store, pino({ level: 'silent' }), 1000);
    await repo.open();
    const pending = repo.create('both');
    execFileSync('mkfifo', [repo.pathOf(pending.file)]);
    const started = Date.now();
    const record = await repo.finish(pending, { demo: 'recording', participants: [] });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(record).toMatchObject({ durationMs: 0 });
    expect(record?.thumbnail).toBeUndefined();
    await store.close();
  });
});
