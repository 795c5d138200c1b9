// The three filter demos as a user meets them: from the index page, in Chromium with a fake
// camera, through the application server and the embedded media server. Each test reads the
// pixels of the page's remote video and checks that the user's choices change them.

import { execFileSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { eventually, pipelinesOnMediaServer, startApp, type RunningApp } from '../helpers/app';
import { launchChromium } from '../helpers/browser';
import { fakeCameraArgs, type FakeCamera } from '../helpers/fake-camera';
import { CHROMA_CAMERA, coverFrameArgs, FACE, FACE_CAMERA, LEFT_OF_FIGURE } from '../helpers/filter-cameras';
import { captureFrame, channelSpread, colourBox, cropped, meanColour, type Box, type Frame, type Rgb } from '../helpers/frames';
import { helpersOf } from '../helpers/gstreamer';

jest.setTimeout(90_000);

const ROOT = resolve(__dirname, '../..');
const TOP_HAT_BAND: Rgb = [0xc0, 0x28, 0x3a];
const CROWN_GOLD: Rgb = [0xf2, 0xb7, 0x05];
/** Above the face: where a hat goes (the astronaut photo has red lower down, in the flag). */
const ABOVE_FACE: Box = { x: 120, y: 0, width: 320, height: FACE.y };

const remote = (demo: string): string => `${demo} >> stage-video-tile[video-id=remote] >> video`;
const local = (demo: string): string => `${demo} >> stage-video-tile[video-id=local] >> video`;

describe('filter demos from the index page (Chromium, embedded media server)', () => {
  let running: RunningApp;
  const browsers: Browser[] = [];
  const pages: Page[] = [];

  beforeAll(async () => {
    running = await startApp();
  });

  afterEach(async () => {
    // A page that goes takes its session, and the session its pipeline.
    await Promise.all(pages.splice(0).map((p) => p.close().catch(() => undefined)));
    expect(
      await eventually(
        () => pipelinesOnMediaServer(running.app),
        (p) => p.length === 0,
      ),
    ).toEqual([]);
    expect(await eventually(helpersOf(running.app.embeddedEngine!), (n) => n === 0, 8000)).toBe(0);
  });

  afterAll(async () => {
    for (const b of browsers) await b.close();
    await running?.close();
  });

  async function openDemo(camera: FakeCamera, linkText: string): Promise<Page> {
    const browser = await launchChromium(fakeCameraArgs(camera));
    browsers.push(browser);
    const page = await browser.newPage();
    pages.push(page);
    await page.goto(running.url);
    await page.click(`text=${linkText}`);
    await page.click('#start');
    return page;
  }

  test('magic mirror: a top hat above the face; none takes it off; the crown replaces it', async () => {
    const page = await openDemo(FACE_CAMERA, 'Magic mirror');
    const video = remote('magic-mirror-demo');
    const hatBand = (f: Frame): number => colourBox(cropped(f, ABOVE_FACE), TOP_HAT_BAND, 90).count;
    const hat = await eventually(
      () => captureFrame(page, video),
      (f) => hatBand(f) > 500,
      30_000,
    );
    // The band spans the hat above the face, centred on it.
    const band = colourBox(cropped(hat, ABOVE_FACE), TOP_HAT_BAND, 90).box!;
    const centre = ABOVE_FACE.x + band.x + band.width / 2;
    expect(Math.abs(centre - (FACE.x + FACE.width / 2))).toBeLessThan(20);

    await page.click('#overlay-none');
    await eventually(
      () => captureFrame(page, video),
      (f) => hatBand(f) === 0,
      10_000,
    );
    await page.click('#overlay-crown');
    const crowned = await eventually(
      () => captureFrame(page, video),
      (f) => colourBox(cropped(f, ABOVE_FACE), CROWN_GOLD, 90).count > 500,
      10_000,
    );
    expect(colourBox(cropped(crowned, ABOVE_FACE), CROWN_GOLD, 90).box!.y + ABOVE_FACE.y).toBeLessThan(FACE.y);

    await page.click('#stop');
    await page.close();
  });

  test('magic mirror: a hat picked while the call starts is the one drawn once it runs', async () => {
    // openDemo has pressed Start; the crown is picked before the server has answered it. It
    // used to reach the server before its session existed, and the error ended the call.
    const page = await openDemo(FACE_CAMERA, 'Magic mirror');
    await page.click('#overlay-crown');
    const video = remote('magic-mirror-demo');
    await eventually(
      () => captureFrame(page, video),
      (f) => colourBox(cropped(f, ABOVE_FACE), CROWN_GOLD, 90).count > 500,
      30_000,
      'the crown above the face',
    );
    expect(await page.locator('magic-mirror-demo >> stage-status >> [role=alert]').count()).toBe(0);
    await page.click('#stop');
  });

  test('magic mirror: says when it finds a face, and when it finds none', async () => {
    // The page counts the overlay's own colour coming back beyond what it sends (face-seen.ts).
    const note = async (page: Page) => {
      const face = page.locator('magic-mirror-demo >> #face');
      return { found: await face.getAttribute('data-found'), text: (await face.textContent())?.trim() ?? '' };
    };
    const withFace = await openDemo(FACE_CAMERA, 'Magic mirror');
    for (const overlay of ['top-hat', 'party-hat', 'crown']) {
      await withFace.click(`#overlay-${overlay}`);
      expect(
        await eventually(
          () => note(withFace),
          (n) => n.found === 'true',
          30_000,
          `the ${overlay} seen on the astronaut`,
        ),
      ).toEqual({ found: 'true', text: 'Face found.' });
    }
    // "None" draws nothing, and the page does not call that "no face".
    await withFace.click('#overlay-none');
    await new Promise((r) => setTimeout(r, 3000));
    expect(await note(withFace)).toEqual({ found: 'undefined', text: '' });

    // Chromium's own fake camera has no face in it: no hat comes back, and the page says so.
    const browser = await launchChromium();
    browsers.push(browser);
    const noFace = await browser.newPage();
    pages.push(noFace);
    await noFace.goto(running.url);
    await noFace.click('text=Magic mirror');
    await noFace.click('#start');
    const none = await eventually(
      () => note(noFace),
      (n) => n.found === 'false',
      30_000,
      'the page to say it found no face',
    );
    expect(none.text).toMatch(/^No face found: the filter draws the overlay only on a face it sees/);
    // And it holds: no hat is ever seen on this camera.
    for (let i = 0; i < 10; i++) {
      await new Promise((r) => setTimeout(r, 500));
      expect((await note(noFace)).found).toBe('false');
    }
  });

  test('magic mirror: an overlay the media server cannot read is shown as an error, and the call goes on', async () => {
    // The media server is given a path it cannot read, as when an image went missing.
    const crown = running.app.demoImages.imageOf('overlays/crown.png');
    renameSync(crown, `${crown}.away`);
    try {
      const page = await openDemo(FACE_CAMERA, 'Magic mirror');
      const video = remote('magic-mirror-demo');
      await eventually(
        () => captureFrame(page, video),
        (f) => colourBox(cropped(f, ABOVE_FACE), TOP_HAT_BAND, 90).count > 500,
        30_000,
      );
      await page.click('#overlay-crown');
      const alert = page.locator('magic-mirror-demo >> stage-status >> [role=alert]');
      await alert.waitFor({ timeout: 10_000 });
      expect(await alert.textContent()).toMatch(/The filter failed: FaceOverlayFilter goes on without its image.*crown\.png/);
      // No hat, no crown, and the video still plays.
      const bare = await eventually(
        () => captureFrame(page, video),
        (f) => colourBox(cropped(f, ABOVE_FACE), TOP_HAT_BAND, 90).count === 0,
        10_000,
      );
      expect(colourBox(cropped(bare, ABOVE_FACE), CROWN_GOLD, 90).count).toBe(0);
      expect(await page.locator('magic-mirror-demo >> stage-status >> [role=status]').textContent()).toMatch(
        /^Connected: the media server finds your face/,
      );
      await page.click('#stop');
    } finally {
      renameSync(`${crown}.away`, crown);
    }
  });

  test('chroma: a click on the green calibrates, and the background shows the chosen image', async () => {
    const page = await openDemo(CHROMA_CAMERA, 'Chroma key');
    const demo = 'chroma-demo';
    expect(await page.locator(`${demo} >> #credit`).textContent()).toMatch(/Hubble deep field: NASA, public domain/);
    await captureFrame(page, remote(demo));
    // Before calibrating, the video comes back as it is.
    expect(meanColour(await captureFrame(page, remote(demo)), LEFT_OF_FIGURE)[1]).toBeGreaterThan(150);

    // Click the green at (40, 40) of the 640x480 picture, wherever the tile shows it.
    const localVideo = page.locator(local(demo));
    const shown = (await localVideo.boundingBox())!;
    await localVideo.click({ position: { x: (shown.width * 40) / 640, y: (shown.height * 40) / 480 } });
    await page.locator(`${demo} >> #calibrated`).getByText('Calibrated').waitFor();

    const hubble: Frame = {
      width: 640,
      height: 480,
      data: execFileSync('ffmpeg', coverFrameArgs(join(ROOT, 'client/assets/backgrounds/hubble_deep_field.jpg')), {
        maxBuffer: 8 << 20,
      }),
    };
    const want = meanColour(hubble, LEFT_OF_FIGURE);
    const near = (f: Frame): boolean => meanColour(f, LEFT_OF_FIGURE).every((v, c) => Math.abs(v - want[c]!) < 15);
    // The first frames after the click may still be on their way; the picture settles on the image.
    expect(near(await eventually(() => captureFrame(page, remote(demo)), near, 20_000))).toBe(true);

    // Another background, live: the sunset is far brighter than deep space.
    await page.click('#background-sunset');
    await eventually(
      () => captureFrame(page, remote(demo)),
      (f) => meanColour(f, LEFT_OF_FIGURE)[0] > 80,
      10_000,
    );
    await page.click('#background-none');
    await eventually(
      () => captureFrame(page, remote(demo)),
      (f) => meanColour(f, LEFT_OF_FIGURE)[1] > 150,
      10_000,
    );
    await page.close();
  });

  test('effects: black and white, then a mirror image, then none', async () => {
    // A still, colourful and lopsided picture: grey is easy to tell, and so is a mirror image.
    const page = await openDemo(FACE_CAMERA, 'Effects');
    const demo = 'effects-demo';
    await eventually(
      () => captureFrame(page, remote(demo)),
      (f) => channelSpread(f) < 6,
      20_000,
    );

    await page.click('#effect-mirror');
    // Mirrored: the remote picture's left edge is the local picture's right edge.
    const strip = (f: Frame, x: number): Rgb => meanColour(f, { x, y: 40, width: 40, height: 400 });
    const mirrored = async (): Promise<boolean> => {
      const [r, l] = [await captureFrame(page, remote(demo)), await captureFrame(page, local(demo))];
      const [a, b, c] = [strip(r, 0), strip(l, 600), strip(l, 0)];
      const distance = (p: Rgb, q: Rgb): number => Math.abs(p[0] - q[0]) + Math.abs(p[1] - q[1]) + Math.abs(p[2] - q[2]);
      return channelSpread(r) > 20 && distance(a, b) < 20 && distance(a, c) > 35;
    };
    expect(await eventually(mirrored, (m) => m, 10_000)).toBe(true);

    await page.click('#effect-none');
    expect(await page.locator(`${demo} >> #command`).textContent()).toMatch(/none/);
    await eventually(helpersOf(running.app.embeddedEngine!), (n) => n === 0, 8000);
    expect(channelSpread(await captureFrame(page, remote(demo)))).toBeGreaterThan(20);
    await page.click('#stop');
    await page.close();
  });
});
