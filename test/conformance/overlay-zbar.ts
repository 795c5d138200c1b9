// KMS's ImageOverlayFilter and ZBarFilter, driven through the unmodified kurento-client (part
// of the conformance suite, for a media server that reads the test's media folder: the
// target's mediaDir). The overlay is checked in the pixels a browser receives back; the
// code reader with a clip of QR codes made at test time (qrencode, ffmpeg) that a
// PlayerEndpoint plays into it, as KMS's own ZBarFilter test does.
//
// NOTE: kurento-client (JavaScript) cannot call addImage or removeImage: its serializeParams
// replaces any parameter object that has an `id` member by that id, so the operation's
// parameters arrive as a bare string. They are sent here as raw JSON-RPC, as the Java client
// sends them.

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '../helpers/app';
import type { BrowserPeer } from '../helpers/browser-peer';
import { BrowserRoom, withRoom } from '../helpers/browser-room';
import type { FakeCamera } from '../helpers/fake-camera';
import { captureFrame, colourBox, meanColour, type Box, type Rgb } from '../helpers/frames';
import { call } from '../helpers/kurento';
import { inset } from '../helpers/filter-cameras';
import type { MediaServerTarget } from './scenarios';
import { RawClient } from './wire';

const MAGENTA: Rgb = [255, 0, 255];
const YELLOW: Rgb = [255, 255, 0];
/** A plain blue camera, 640x480, on which the overlays' colours stand out. */
const BLUE_CAMERA: FakeCamera = { name: 'blue-640x480-15', lavfi: 'color=c=0x2060A0:s=640x480:r=15', seconds: 3 };
const CODES = ['kurento-stage-1', 'kurento-stage-2', 'kurento-stage-3'];

/** Where a colour shows in the browser's picture, once it covers at least `min` pixels. */
async function colourShown(peer: BrowserPeer, colour: Rgb, min: number, what: string): Promise<Box> {
  const frame = await eventually(
    () => captureFrame(peer.page),
    (f) => colourBox(f, colour, 100).count >= min,
    20_000,
    what,
  );
  expect([frame.width, frame.height]).toEqual([640, 480]);
  return colourBox(frame, colour, 100).box!;
}

function expectNear(box: Box, expected: Box): void {
  // VP8 blurs edges: a few pixels' slack.
  for (const key of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(box[key] - expected[key])).toBeLessThanOrEqual(6);
}

export function overlayZbarSuite(target: () => MediaServerTarget): void {
  const room = withRoom(() => BrowserRoom.open(target().url, [BLUE_CAMERA]));
  let mediaDir: string;

  beforeAll(() => {
    if (!target().mediaDir) throw new Error('this suite needs a target whose media server reads its mediaDir');
    mediaDir = target().mediaDir!;
    const ffmpeg = (...args: string[]): void => void execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
    ffmpeg('-f', 'lavfi', '-i', 'color=c=0xFF00FF:s=64x64', '-frames:v', '1', join(mediaDir, 'magenta.png'));
    // 2:1, so that keeping its aspect ratio shows.
    ffmpeg('-f', 'lavfi', '-i', 'color=c=0xFFFF00:s=64x32', '-frames:v', '1', join(mediaDir, 'yellow.png'));
    // Two seconds of white (the filter's GStreamer process starts meanwhile), each code for
    // 0.8 s (under the second after which KMS reports a code again), then white.
    CODES.forEach((code, i) => execFileSync('qrencode', ['-s', '10', '-m', '4', '-o', join(mediaDir, `code${i}.png`), code]));
    const white = 'color=c=white:s=640x480:r=15';
    ffmpeg(
      ...['-f', 'lavfi', '-t', '2', '-i', white],
      ...CODES.flatMap((_, i) => ['-loop', '1', '-framerate', '15', '-t', '0.8', '-i', join(mediaDir, `code${i}.png`)]),
      ...['-f', 'lavfi', '-t', '1', '-i', white],
      '-filter_complex',
      [
        ...CODES.map((_, i) => `[${i + 1}]scale=400:400,pad=640:480:120:40:white,setsar=1,format=yuv420p[c${i}]`),
        '[0]format=yuv420p[w0]',
        '[4]format=yuv420p[w1]',
        '[w0][c0][c1][c2][w1]concat=n=5:v=1:a=0[v]',
      ].join(';'),
      ...['-map', '[v]', '-r', '15', '-c:v', 'libvpx', '-b:v', '1M', join(mediaDir, 'codes.webm')],
    );
  });

  test('ImageOverlayFilter draws each image where asked, keeps aspect and centres on request, and removes by id', async () => {
    const filter = await call<any>(room().pipeline, 'create', 'ImageOverlayFilter');
    const peer = await room().loopThrough(filter);
    const raw = await RawClient.open(target().url);
    const invoke = async (operation: string, operationParams: Record<string, unknown>): Promise<void> => {
      const reply = await raw.request('invoke', { object: filter.id, operation, operationParams });
      expect(reply.error).toBeUndefined();
    };
    const addImage = (id: string, uri: string, place: number[], keepAspectRatio: boolean, center: boolean): Promise<void> => {
      const [offsetXPercent, offsetYPercent, widthPercent, heightPercent] = place;
      return invoke('addImage', {
        id,
        uri,
        offsetXPercent,
        offsetYPercent,
        widthPercent,
        heightPercent,
        keepAspectRatio,
        center,
      });
    };
    // Through kurento-client the parameters arrive mangled: refused, and nothing breaks.
    await expect(call(filter, 'addImage', 'a', join(mediaDir, 'magenta.png'), 0, 0, 1, 1, false, false)).rejects.toThrow();
    // Stretched to a quarter of the width and half the height, from the frame's centre.
    await addImage('a', join(mediaDir, 'magenta.png'), [0.5, 0.25, 0.25, 0.5], false, false);
    const a: Box = { x: 320, y: 120, width: 160, height: 240 };
    expectNear(await colourShown(peer, MAGENTA, 0.8 * 160 * 240, 'the magenta image'), a);
    const blue = meanColour(await captureFrame(peer.page), { x: 40, y: 300, width: 200, height: 120 });
    expect(blue[2]).toBeGreaterThan(blue[0] + 60); // the rest of the picture is the camera's

    // A 2:1 image in a 160x120 box, aspect kept and centred: 160x80, 20 px down.
    await addImage('b', join(mediaDir, 'yellow.png'), [0, 0, 0.25, 0.25], true, true);
    expectNear(await colourShown(peer, YELLOW, 0.8 * 160 * 80, 'the yellow image'), { x: 0, y: 20, width: 160, height: 80 });
    expectNear(colourBox(await captureFrame(peer.page), MAGENTA, 100).box!, a);

    // Adding an id again moves that image; removing an id removes only it.
    await addImage('b', join(mediaDir, 'yellow.png'), [0.75, 0.75, 0.25, 0.25], false, false);
    expectNear(await colourShown(peer, YELLOW, 0.8 * 160 * 120, 'the yellow image moved'), {
      x: 480,
      y: 360,
      width: 160,
      height: 120,
    });
    await invoke('removeImage', { id: 'a' });
    await invoke('removeImage', { id: 'no-such-image' }); // as KMS: no error
    const after = await eventually(
      () => captureFrame(peer.page),
      (f) => colourBox(f, MAGENTA, 100).count === 0,
      10_000,
      'the magenta image removed',
    );
    const yellow = meanColour(after, inset({ x: 480, y: 360, width: 160, height: 120 }, 8));
    expect(yellow[0]).toBeGreaterThan(200);
    expect(yellow[1]).toBeGreaterThan(200);
    expect(yellow[2]).toBeLessThan(80);
    raw.close();
  });

  test('ZBarFilter reports each QR code of a played clip once, in order, with its type', async () => {
    const player = await call<any>(room().pipeline, 'create', 'PlayerEndpoint', {
      uri: `file://${join(mediaDir, 'codes.webm')}`,
    });
    const zbar = await call<any>(room().pipeline, 'create', 'ZBarFilter');
    const found: { codeType: string; value: string }[] = [];
    zbar.on('CodeFound', (e: { codeType: string; value: string }) => found.push({ codeType: e.codeType, value: e.value }));
    let ended = false;
    player.on('EndOfStream', () => (ended = true));
    await call(player, 'connect', zbar);
    await call(player, 'play');
    await eventually(() => ended, Boolean, 30_000, 'the clip to end');
    await new Promise((r) => setTimeout(r, 500)); // the last frames' scan
    expect(found).toEqual(CODES.map((value) => ({ codeType: 'QR-Code', value })));
  });
}
