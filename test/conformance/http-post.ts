// HttpPostEndpoint, driven through the unmodified kurento-client (part of the conformance
// suite, for a media server whose getUrl this host can reach):
// a WebM clip POSTed to getUrl's address by a streaming HTTP client (chunked, as it reads
// the file) plays in a browser connected to the endpoint, with KMS's session events; an
// HTML form's multipart upload plays too; and bad uploads get HTTP errors, not a crash.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../helpers/app';
import type { BrowserPeer } from '../helpers/browser-peer';
import { BrowserRoom, CAMERA_AREA, withRoom } from '../helpers/browser-room';
import { captureFrame, colourOf, meanColour } from '../helpers/frames';
import { call } from '../helpers/kurento';
import type { MediaServerTarget } from './scenarios';

/** Sends `body` to `url` (a file streamed chunk by chunk, or bytes) and resolves with the answer. */
function post(
  url: string,
  body: { file: string } | Buffer,
  headers: Record<string, string>,
  method = 'POST',
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (Buffer.isBuffer(body)) req.end(body);
    else createReadStream(body.file, { highWaterMark: 16 * 1024 }).pipe(req);
  });
}

export function httpPostSuite(target: () => MediaServerTarget): void {
  const room = withRoom(() => BrowserRoom.open(target().url));
  let dir: string;
  let clip: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'http-post-'));
    clip = join(dir, 'red.webm');
    // A red picture with a tone: what the browser shows is what was uploaded.
    execFileSync('ffmpeg', [
      ...['-loglevel', 'error', '-f', 'lavfi', '-i', 'color=c=0xD02020:s=320x240:r=15', '-f', 'lavfi'],
      ...['-i', 'sine=frequency=440:sample_rate=48000', '-t', '6', '-c:v', 'libvpx', '-b:v', '400k', '-c:a', 'libopus', clip],
    ]);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const isRed = async (peer: BrowserPeer): Promise<boolean> =>
    colourOf(meanColour(await captureFrame(peer.page), CAMERA_AREA)) === 'red';

  test('a WebM file POSTed in chunks plays in a browser, with the session events', async () => {
    const endpoint = await call<any>(room().pipeline, 'create', 'HttpPostEndpoint', { disconnectionTimeout: 1 });
    const events: string[] = [];
    for (const type of ['MediaSessionStarted', 'EndOfStream', 'MediaSessionTerminated']) {
      endpoint.on(type, () => events.push(type));
    }
    const url = await call<string>(endpoint, 'getUrl');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}$/);
    const peer = await room().viewer(endpoint);

    const upload = post(url, { file: clip }, { 'content-type': 'video/webm', 'transfer-encoding': 'chunked' });
    await eventually(() => isRed(peer), Boolean, 20_000, 'the red clip in the browser');
    expect(await call<boolean>(endpoint, 'isMediaTranscoding', 'VIDEO')).toBe(true);
    expect(await upload).toEqual({ status: 200, text: 'OK' });
    await eventually(
      () => events,
      (e) => e.includes('EndOfStream') && e.includes('MediaSessionTerminated'),
      20_000,
      'the end',
    );
    expect(events.filter((e) => e !== 'MediaSessionTerminated')).toEqual(['MediaSessionStarted', 'EndOfStream']);
    // The session is over: its URL is gone, as on KMS.
    expect((await post(url, readFileSync(clip), { 'content-type': 'video/webm' })).status).toBe(404);
    expect(await call<string>(endpoint, 'getUrl')).toBe('');
  });

  test("an HTML form's multipart upload plays, with useEncodedMedia passing VP8 on as it is", async () => {
    const endpoint = await call<any>(room().pipeline, 'create', 'HttpPostEndpoint', { useEncodedMedia: true });
    const url = await call<string>(endpoint, 'getUrl');
    const peer = await room().viewer(endpoint);
    const boundary = '----formBoundaryStage';
    const form = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n`),
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="red.webm"\r\n`),
      Buffer.from('Content-Type: video/webm\r\n\r\n'),
      readFileSync(clip),
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const upload = post(url, form, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    await eventually(() => isRed(peer), Boolean, 20_000, 'the red clip in the browser');
    expect(await call<boolean>(endpoint, 'isMediaTranscoding', 'VIDEO')).toBe(false);
    expect((await upload).status).toBe(200);
  });

  test('bad uploads get HTTP errors, and the endpoint and engine go on', async () => {
    // A long disconnectionTimeout: the session outlives the gaps between these uploads.
    const endpoint = await call<any>(room().pipeline, 'create', 'HttpPostEndpoint', { disconnectionTimeout: 60 });
    const url = await call<string>(endpoint, 'getUrl');
    expect((await post(url, Buffer.from('x'), {})).status).toBe(406); // no Content-Type, as KMS
    expect((await post(url, Buffer.from('x'), { 'content-type': 'multipart/form-data' })).status).toBe(406);
    expect((await post(url, Buffer.alloc(0), {}, 'GET')).status).toBe(405);
    expect((await post(`${url}0`, Buffer.from('x'), { 'content-type': 'video/webm' })).status).toBe(404);

    // One upload at a time: a second while the first streams is refused.
    const slow = request(url, { method: 'POST', headers: { 'content-type': 'video/webm', 'transfer-encoding': 'chunked' } });
    slow.on('error', () => undefined);
    slow.write(readFileSync(clip).subarray(0, 4096));
    await eventually(
      async () => (await post(url, Buffer.from('x'), { 'content-type': 'video/webm' })).status,
      (s) => s === 409,
      5000,
      'the second upload refused',
    );
    slow.destroy();

    // Not a video at all: an Error event, and the endpoint still takes a good upload.
    const errors: string[] = [];
    endpoint.on('Error', (e: any) => errors.push(e.description));
    // (Once the server has seen the cut upload go: until then it is still in progress.)
    await eventually(
      async () => (await post(url, Buffer.from('this is not a video'), { 'content-type': 'video/webm' })).status,
      (s) => s === 200,
      5000,
      'the bad upload taken',
    );
    await eventually(
      () => errors,
      (e) => e.length > 0,
      15_000,
      'an Error event',
    );
    expect(errors[0]).toMatch(/could not be played/);
    // Megabytes that are no video either: the server stops playing, reads the rest and
    // answers, rather than leave the uploader waiting on a full socket.
    const junk = await post(url, randomBytes(8 * 1024 * 1024), { 'content-type': 'video/webm' });
    expect(junk.status).toBe(200);
    const peer = await room().viewer(endpoint);
    void post(url, { file: clip }, { 'content-type': 'video/webm' });
    await eventually(() => isRed(peer), Boolean, 20_000, 'the red clip after the bad one');
  });
}
