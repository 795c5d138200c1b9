// The three filter demos as a user meets them: from the index page, in Chromium with a fake
// camera, through the application server and the embedded media server. Each test reads the
// pixels of the page's remote video and checks that the user's choices change them.

import { renameSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { eventually, pipelinesOnMediaServer, startApp, type RunningApp } from '../helpers/app';
import { launchChromium } from '../helpers/browser';
import { fakeCameraArgs, type FakeCamera } from '../helpers/fake-camera';
import {
  ABOVE_FACE,
  CROWN_GOLD,
  expectChromaBackgrounds,
  expectEffects,
  expectTopHatAboveFace,
  hatBand,
  remote,
  TOP_HAT_BAND,
} from '../helpers/filter-demo-checks';
import { CHROMA_CAMERA, FACE, FACE_CAMERA } from '../helpers/filter-cameras';
import { captureFrame, colourBox, cropped } from '../helpers/frames';
import { helpersOf } from '../helpers/gstreamer';

jest.setTimeout(90_000);

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
    await expectTopHatAboveFace(page);

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
    await expectChromaBackgrounds(page, 'cover');
    await page.close();
  });

  test('effects: black and white, then a mirror image, then none', async () => {
    const page = await openDemo(FACE_CAMERA, 'Effects');
    await expectEffects(page);
    // No effect runs no GStreamer helper.
    await eventually(helpersOf(running.app.embeddedEngine!), (n) => n === 0, 8000);
    await page.click('#stop');
    await page.close();
  });
});
