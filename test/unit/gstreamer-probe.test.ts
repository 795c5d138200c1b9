// Without GStreamer the player (and later the filters) must fail with words that say what
// to install, while the rest of the engine keeps working: the probe is what says it.

import { gstreamerMissing } from '../../engine/gst/helper-process';

describe('GStreamer probe', () => {
  test('a missing interpreter is reported with the packages to install', () => {
    const reason = gstreamerMissing('/nonexistent/python3', ['vp8enc']);
    expect(reason).toMatch(/GStreamer is not available to the embedded media server/);
    expect(reason).toMatch(/python3-gi gir1\.2-gstreamer-1\.0/);
  });

  test('a missing element is named, with its package', () => {
    expect(gstreamerMissing('/usr/bin/python3', ['vp8enc', 'facedetect', 'nosuchelement'])).toMatch(
      /^GStreamer lacks nosuchelement; install gstreamer1\.0-plugins-bad$/,
    );
  });

  test('with GStreamer installed (as in CI), the player elements are all there', () => {
    expect(
      gstreamerMissing('/usr/bin/python3', ['uridecodebin', 'vp8enc', 'rtpvp8pay', 'opusenc', 'rtpopuspay']),
    ).toBeUndefined();
  });
});
