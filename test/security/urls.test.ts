// URLs chosen by clients never reach what only this machine can reach. A "public" web server
// (198.51.100.7, an address the test gives its own namespace's loopback) serves images,
// videos, an HLS playlist and redirects; the same server at 127.0.0.1 stands for what is
// behind the media server. Images and players refuse every loopback, private and reserved
// form, before and after redirects, and say the same words whatever failed; playlists are not
// played (one pointed at a local file outside the media directory); pixel bombs are refused
// before anything decodes them; and the app checks a player URL before a media server sees it.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import pino from 'pino';
import { loadEngineConfig } from '../../engine/config';
import { startEngine, type Engine } from '../../engine/engine';
import { engineSession, makeClip, type EngineSession } from '../helpers/engine-session';
import { startApp, type RunningApp } from '../helpers/app';
import { call } from '../helpers/kurento';
import { TestSocket } from '../helpers/ws';

jest.setTimeout(120_000);

const PUBLIC = '198.51.100.7';
const HAT = readFileSync(join(__dirname, '../../client/assets/overlays/top-hat.png'));

/** A real PNG that declares 16000x16000 grey pixels: about 250 KB, 256 MB once decoded. */
function pixelBomb(): Buffer {
  const side = 16000;
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer): number => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer): Buffer => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(side, 0);
  header.writeUInt32BE(side, 4);
  header[8] = 8; // bit depth; colour type 0 (grey)
  const pixels = deflateSync(Buffer.alloc(side * (side + 1)), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('URLs chosen by clients', () => {
  let web: Server;
  let port: number;
  let hatFetches = 0;
  let dir: string;
  let mediaDir: string;
  let session: EngineSession;
  let pipeline: any; // eslint-disable-line @typescript-eslint/no-explicit-any

  beforeAll(async () => {
    execFileSync('ip', ['addr', 'add', `${PUBLIC}/32`, 'dev', 'lo']);
    dir = mkdtempSync(join(tmpdir(), 'stage-urls-'));
    mediaDir = join(dir, 'media');
    execFileSync('mkdir', ['-p', mediaDir, join(dir, 'outside')]);
    // A clip to play, and a "secret" segment outside the media directory that a playlist names.
    makeClip(join(dir, 'clip.webm'), 2);
    makeClip(join(dir, 'outside', 'secret.ts'), 2, '320x240', 'mpeg2video', 'mpegts');
    const playlist = [
      '#EXTM3U',
      '#EXT-X-TARGETDURATION:2',
      '#EXTINF:2.0,',
      `file://${join(dir, 'outside', 'secret.ts')}`,
      '#EXT-X-ENDLIST',
      '',
    ].join('\n');
    writeFileSync(join(mediaDir, 'local.m3u8'), playlist);
    writeFileSync(join(mediaDir, 'bomb.png'), pixelBomb());
    web = createServer((req, res) => {
      const path = req.url ?? '/';
      const redirect = (to: string): void => void res.writeHead(302, { location: to }).end();
      if (path === '/hat.png') {
        hatFetches++;
        return void res.writeHead(200, { 'content-type': 'image/png' }).end(HAT);
      }
      if (path === '/clip.webm')
        return void res.writeHead(200, { 'content-type': 'video/webm' }).end(readFileSync(join(dir, 'clip.webm')));
      if (path === '/playlist.m3u8')
        return void res.writeHead(200, { 'content-type': 'application/vnd.apple.mpegurl' }).end(playlist);
      if (path === '/text') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>hello</html>');
      if (path === '/hang') return; // never answers
      if (path === '/to-loopback.png') return redirect(`http://127.0.0.1:${port}/hat.png`);
      if (path === '/to-loopback.webm') return redirect(`http://127.0.0.1:${port}/clip.webm`);
      if (path === '/to-metadata') return redirect('http://169.254.169.254/latest/meta-data/');
      const hops = /^\/hops\/(\d+)$/.exec(path);
      if (hops) return Number(hops[1]) === 0 ? redirect('/hat.png') : redirect(`/hops/${Number(hops[1]) - 1}`);
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => web.listen(0, '0.0.0.0', r));
    port = (web.address() as AddressInfo).port;
    session = await engineSession(['--media-dir', mediaDir]);
    pipeline = session.pipeline;
  });

  afterAll(async () => {
    await session?.close();
    web?.closeAllConnections();
    await new Promise((r) => (web ? web.close(r) : r(undefined)));
    execFileSync('ip', ['addr', 'del', `${PUBLIC}/32`, 'dev', 'lo']);
    rmSync(dir, { recursive: true, force: true });
  });

  /** The Error events a face overlay raises for one image URI (none when it took it). */
  async function overlayErrors(uri: string): Promise<string[]> {
    const filter = await call<any>(pipeline, 'create', 'FaceOverlayFilter'); // eslint-disable-line @typescript-eslint/no-explicit-any
    const errors: string[] = [];
    filter.on('Error', (e: { description: string }) => errors.push(e.description));
    try {
      await call(filter, 'setOverlayedImage', uri, 0, 0, 1, 1);
      return errors;
    } finally {
      await call(filter, 'release');
    }
  }

  test('an image on a public server is used', async () => {
    expect(await overlayErrors(`http://${PUBLIC}:${port}/hat.png`)).toEqual([]);
    expect(await overlayErrors(`http://${PUBLIC}:${port}/hops/2`)).toEqual([]); // three redirects
  });

  test('every loopback, private and reserved form, direct or redirected, gets the same words as any failure', async () => {
    const refused = [
      `http://127.0.0.1:${port}/hat.png`,
      `http://localhost:${port}/hat.png`,
      `http://2130706433:${port}/hat.png`,
      `http://0x7f.0.0.1:${port}/hat.png`,
      `http://127.1:${port}/hat.png`,
      `http://0.0.0.0:${port}/hat.png`,
      `http://[::1]:${port}/hat.png`,
      `http://[::ffff:127.0.0.1]:${port}/hat.png`,
      `http://user:pass@127.0.0.1:${port}/hat.png`,
      `http://${PUBLIC}@127.0.0.1:${port}/hat.png`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/hat.png',
      'http://172.16.5.4/hat.png',
      'http://192.168.1.1/hat.png',
      'http://100.64.0.1/hat.png',
      'http://[fe80::1]/hat.png',
      'http://[fd00::1]/hat.png',
      `http://${PUBLIC}:${port}/to-loopback.png`,
      `http://${PUBLIC}:${port}/to-metadata`,
      `http://${PUBLIC}:${port}/hops/3`, // four redirects: one too many
    ];
    const failing = [
      `http://${PUBLIC}:${port}/missing.png`, // 404
      `http://${PUBLIC}:${port}/text`, // not an image
      `http://${PUBLIC}:1/hat.png`, // closed port
      `http://${PUBLIC}:${port}/hang`, // never answers
    ];
    for (const uri of [...refused, ...failing]) {
      expect([uri, await overlayErrors(uri)]).toEqual([
        uri,
        [`FaceOverlayFilter goes on without its image. Cannot fetch the image ${uri}: could not read the URL`],
      ]);
    }
  });

  test('an image is fetched and kept once per URL per filter, however often it is set', async () => {
    const filter = await call<any>(pipeline, 'create', 'FaceOverlayFilter'); // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      const before = hatFetches;
      for (let i = 0; i < 5; i++) await call(filter, 'setOverlayedImage', `http://${PUBLIC}:${port}/hat.png`, 0, 0, 1, 1);
      expect(hatFetches - before).toBe(1);
    } finally {
      await call(filter, 'release');
    }
  });

  test('a 16000x16000 PNG is refused before it is decoded', async () => {
    const errors = await overlayErrors(join(mediaDir, 'bomb.png'));
    expect(errors).toEqual([expect.stringMatching(/is 16000x16000 pixels; images are limited to 16777216 pixels \(4096x4096\)/)]);
  });

  async function playError(uri: string): Promise<string | undefined> {
    const player = await call<any>(pipeline, 'create', 'PlayerEndpoint', { uri }); // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      await call(player, 'play');
      return undefined;
    } catch (err) {
      return (err as Error).message;
    } finally {
      await call(player, 'release');
    }
  }

  test('a player plays a public video, and refuses loopback addresses, redirects to them and playlists', async () => {
    expect(await playError(`http://${PUBLIC}:${port}/clip.webm`)).toBeUndefined();
    for (const uri of [
      `http://127.0.0.1:${port}/clip.webm`,
      `http://${PUBLIC}:${port}/to-loopback.webm`,
      `http://${PUBLIC}:${port}/playlist.m3u8`,
    ]) {
      expect([uri, await playError(uri)]).toEqual([uri, `Cannot play ${uri}: could not read the URL`]);
    }
    // A playlist in the media directory that names a file outside it is not played either.
    const local = `file://${join(mediaDir, 'local.m3u8')}`;
    expect(await playError(local)).toMatch(/playlists \(HLS, DASH\) are not played/);
  });

  describe('the app, in front of any media server', () => {
    let running: RunningApp;
    let kmsLike: Engine;

    beforeAll(async () => {
      // A media server that would fetch anything, as KMS does: only the app's check stands.
      kmsLike = await startEngine(loadEngineConfig(['--port', '0', '--allow-private-urls']), pino({ level: 'silent' }));
      running = await startApp({ KMS_URL: `ws://127.0.0.1:${kmsLike.port}/kurento` });
    });

    afterAll(async () => {
      await running?.close();
      await kmsLike?.close();
    });

    test('refuses a player URL on a loopback or private address before the media server sees it', async () => {
      const socket = await TestSocket.open(`${running.wsUrl}/player`);
      try {
        for (const videourl of [
          `http://127.0.0.1:${port}/clip.webm`,
          'http://10.1.2.3/clip.webm',
          `http://localhost:${port}/x`,
        ]) {
          socket.send({ id: 'start', sdpOffer: 'v=0', videourl });
          const reply = await socket.next<{ id: string; message: string }>();
          expect([videourl, reply.id, reply.message]).toEqual([
            videourl,
            'error',
            expect.stringContaining('could not read the URL'),
          ]);
        }
        expect(await kmsLike.core.pipelineIds()).toEqual([]);
      } finally {
        socket.close();
      }
    });
  });
});
