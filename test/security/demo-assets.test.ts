// The demo images live outside the media directory that recorders write: with the embedded
// engine they sit in DATA_DIR/filter-images, which filters may read and no recorder may
// reach. With a KMS they go on the shared volume, and KMS is given their plain path there.

import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { startApp, type RunningApp } from '../helpers/app';
import { call, connect, disconnect } from '../helpers/kurento';

/* eslint-disable @typescript-eslint/no-explicit-any -- kurento-client is untyped */
describe('demo assets', () => {
  let running: RunningApp;
  let client: any;

  beforeAll(async () => {
    running = await startApp();
    client = await connect(running.app.embeddedEngine!.url);
  });

  afterAll(async () => {
    if (client) await disconnect(client);
    await running?.close();
  });

  test('with the embedded engine they are outside MEDIA_DIR: filters read them, recorders cannot write them', async () => {
    const hat = running.app.demoImages.imageOf('overlays/top-hat.png');
    expect(relative(running.app.recordings.dir, hat).startsWith('..')).toBe(true);
    const before = readFileSync(hat);
    const pipeline = await call<any>(client, 'create', 'MediaPipeline');
    try {
      const filter = await call<any>(pipeline, 'create', 'FaceOverlayFilter');
      const errors: string[] = [];
      filter.on('Error', (e: { description: string }) => errors.push(e.description));
      await call(filter, 'setOverlayedImage', hat, 0, -0.3, 1, 0.3);
      expect(errors).toEqual([]);
      await expect(call(pipeline, 'create', 'RecorderEndpoint', { uri: `file://${hat}` })).rejects.toThrow(
        /is outside the media directory/,
      );
      expect(readFileSync(hat).equals(before)).toBe(true);
    } finally {
      await call(pipeline, 'release');
    }
  });
});

test('with a KMS, the image is the plain path on the shared volume, where KMS mounts it', async () => {
  const running = await startApp({ KMS_URL: 'ws://127.0.0.1:9/kurento', KMS_MEDIA_DIR: '/media' });
  try {
    expect(running.app.demoImages.imageOf('overlays/top-hat.png')).toBe('/media/filter-images/overlays/top-hat.png');
  } finally {
    await running.close();
  }
});
