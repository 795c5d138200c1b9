// Debian's Chromium, driven by playwright-core, never a downloaded browser. Tests run in a
// network namespace with only loopback (see scripts/test.sh), which is why Chromium needs
// loopback allowed in peer connections and mDNS host-candidate hiding turned off.

import { chromium, type Browser, type Page } from 'playwright-core';
import { eventually } from './app';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What every test browser needs here: no sandbox as root, no GPU, no calls home, a fake camera. */
export const CHROMIUM_BASE_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

/** On loopback only, peer connections need loopback allowed and real host candidates. */
export const CHROMIUM_ARGS = [
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  ...CHROMIUM_BASE_ARGS,
];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs] });
}

/** Runs in the page: picks the peer connections to read, by name. Must use nothing but its argument. */
export type PeerPicker = (arg: string) => Record<string, RTCPeerConnection | undefined>;

/** In the page: the peer connection held by the demo element `tag` (its controller's `call.peer`). */
export const demoPeer: PeerPicker = (tag) => ({
  remote: (document.querySelector(tag) as unknown as { call: { peer?: { pc: RTCPeerConnection } } } | null)?.call.peer?.pc,
});

/**
 * Inbound video frames decoded, per peer connection that `pick` returns from inside the page
 * (0 for a connection that has none yet). The picker crosses into the page as source text.
 */
export function decodedFrames(page: Page, pick: PeerPicker, arg = ''): Promise<Record<string, number>> {
  return page.evaluate(`(async () => {
    const out = {};
    for (const [name, pc] of Object.entries((${pick.toString()})(${JSON.stringify(arg)}))) {
      out[name] = 0;
      if (!pc) continue;
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') out[name] = s.framesDecoded ?? 0;
      });
    }
    return out;
  })()`);
}

/** Opens the hello-world page, starts it, and waits until the loopback video decodes. */
export async function helloWorldCall(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/helloworld.html`);
  await page.click('#start');
  await eventually(
    async () => (await decodedFrames(page, demoPeer, 'hello-world-demo')).remote ?? 0,
    (n) => n > 0,
    20_000,
    'the call to show video',
  );
}

/** The seconds a REC indicator shows ("REC 01:05", "REC 00:03 (paused)"); fails on any other text. */
export function recSeconds(text: string | null): number {
  const match = /^REC (\d+):(\d\d)( \(paused\))?$/.exec(text ?? '');
  if (!match) throw new Error(`not a REC time: ${JSON.stringify(text)}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/**
 * Makes every getUserMedia of `page` take `ms` longer (a cold capture service can take half
 * a second), and keeps each stream it gives, for `cameraTrackStates`. Call before `goto`.
 */
export async function slowCamera(page: Page, ms: number): Promise<void> {
  await page.addInitScript(`(() => {
    const media = navigator.mediaDevices;
    const open = media.getUserMedia.bind(media);
    window.__streams = [];
    media.getUserMedia = async (c) => {
      const stream = await open(c);
      window.__streams.push(stream);
      await new Promise((r) => setTimeout(r, ${ms}));
      return stream;
    };
  })()`);
}

/** The readyState of every track that the page's (slowed) getUserMedia has given. */
export function cameraTrackStates(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    (window as unknown as { __streams: MediaStream[] }).__streams.flatMap((s) => s.getTracks().map((t) => t.readyState)),
  );
}

/** Waits until the camera and microphone a slowed page got are both closed; their states. */
export function cameraClosed(page: Page): Promise<string[]> {
  return eventually(
    () => cameraTrackStates(page),
    (t) => t.length === 2 && t.every((s) => s === 'ended'),
    10_000,
    'the camera to be closed',
  );
}
