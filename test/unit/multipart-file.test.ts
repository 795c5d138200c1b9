// The file part of a multipart/form-data upload, whatever the chunks it arrives in.

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { MultipartFile } from '../../engine/media/multipart-file';

const BOUNDARY = '----WebKitFormBoundaryK0r3nt0';

function form(file: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`preamble\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="title"\r\n\r\nmy clip\r\n`),
    Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="clip.webm"\r\n`),
    Buffer.from('Content-Type: video/webm\r\n\r\n'),
    file,
    Buffer.from(`\r\n--${BOUNDARY}\r\nContent-Disposition: form-data; name="after"\r\n\r\nignored\r\n--${BOUNDARY}--\r\n`),
  ]);
}

async function extract(body: Buffer, chunkSize: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for (let i = 0; i < body.length; i += chunkSize) chunks.push(body.subarray(i, i + chunkSize));
  const out: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    Readable.from(chunks)
      .pipe(new MultipartFile(BOUNDARY))
      .on('data', (b: Buffer) => out.push(b))
      .on('end', resolve)
      .on('error', reject);
  });
  return Buffer.concat(out);
}

describe('MultipartFile', () => {
  // Bytes that look like a boundary's start, CRLFs and dashes: the file must come out whole.
  const file = Buffer.concat([randomBytes(50_000), Buffer.from(`\r\n--${BOUNDARY.slice(0, 10)}\r\n--`), randomBytes(1000)]);

  test.each([1, 7, 64, 1000, 1_000_000])('takes the file from chunks of %i bytes', async (size) => {
    expect((await extract(form(file), size)).equals(file)).toBe(true);
  });

  test('reads the boundary of a multipart/form-data content type, and only of one', () => {
    expect(MultipartFile.boundaryOf(`multipart/form-data; boundary=${BOUNDARY}`)).toBe(BOUNDARY);
    expect(MultipartFile.boundaryOf('multipart/form-data; boundary="a b"')).toBe('a b');
    expect(MultipartFile.boundaryOf('video/webm')).toBeUndefined();
    expect(MultipartFile.boundaryOf('multipart/form-data')).toBeUndefined();
  });

  test('refuses a part whose headers never end', async () => {
    const body = Buffer.concat([Buffer.from(`--${BOUNDARY}\r\n`), Buffer.alloc(40_000, 'a')]);
    await expect(extract(body, 4096)).rejects.toThrow(/oversized headers/);
  });
});
