// Whether the magic mirror found a face, as the page can tell. KMS's FaceOverlayFilter draws
// its image on each face it finds and raises no event either way, so the page looks at the
// media itself: it counts the pixels of the overlay's own colour (its mark) in the camera it
// sends and in the picture that comes back. More of the mark coming back than going out is
// the overlay, drawn: a face was found. Counting colours, not comparing places, holds while
// the picture moves, and a mark already in the room counts on both sides. It reads the same
// on KMS as on the engine.

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LoopbackController } from '../../../client/controllers/loopback';

/** Both pictures are read at this size: fine enough for a hat's band, cheap twice a second. */
const SIZE = { width: 160, height: 120 };
/** How far (sum of the RGB differences) a pixel may be from the mark and still count. */
const TOLERANCE = 90;
/**
 * The overlay is drawn when the picture that comes back has this much more of the mark.
 * Measured on the astronaut (a face 119 px wide): 0.003 (party hat) to 0.015 (crown); on
 * Chromium's moving fake camera (no face): 0.0000.
 */
const DRAWN_SHARE = 0.001;
const SAMPLE_MS = 500;
/** "No face" only after this many samples in a row without the overlay (two seconds). */
const NOT_FOUND_AFTER = 4;

type Rgb = readonly [number, number, number];

/** A hidden video playing `stream`, to draw from. */
function videoOf(stream: MediaStream): HTMLVideoElement {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  void video.play().catch(() => undefined);
  return video;
}

class MarkCounter {
  private readonly sent: HTMLVideoElement;
  private readonly back: HTMLVideoElement;
  private readonly context: CanvasRenderingContext2D;

  constructor(readonly streams: readonly [MediaStream, MediaStream]) {
    this.sent = videoOf(streams[0]);
    this.back = videoOf(streams[1]);
    const canvas = document.createElement('canvas');
    canvas.width = SIZE.width;
    canvas.height = SIZE.height;
    this.context = canvas.getContext('2d', { willReadFrequently: true })!;
  }

  /** The share of the picture that came back with the mark, less the share sent with it. */
  added(mark: Rgb): number | undefined {
    if (this.sent.videoWidth === 0 || this.back.videoWidth === 0) return undefined;
    return this.share(this.back, mark) - this.share(this.sent, mark);
  }

  private share(video: HTMLVideoElement, [r, g, b]: Rgb): number {
    this.context.drawImage(video, 0, 0, SIZE.width, SIZE.height);
    const { data } = this.context.getImageData(0, 0, SIZE.width, SIZE.height);
    let count = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (Math.abs(data[i]! - r) + Math.abs(data[i + 1]! - g) + Math.abs(data[i + 2]! - b) <= TOLERANCE) count++;
    }
    return count / (SIZE.width * SIZE.height);
  }

  close(): void {
    for (const video of [this.sent, this.back]) {
      video.pause();
      video.srcObject = null;
    }
  }
}

export class FaceSeen implements ReactiveController {
  /** True: the overlay is drawn; false: not for two seconds; undefined: not known (yet). */
  found: boolean | undefined;
  /** The last reading (the share of the mark added), for the page's data attribute. */
  added: number | undefined;
  private counter: MarkCounter | undefined;
  private misses = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly call: LoopbackController<{ id: string }>,
    /** The mark of the overlay chosen now; undefined when none is. */
    private readonly mark: () => Rgb | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  hostDisconnected(): void {
    clearInterval(this.timer);
    this.forget();
  }

  /** A new choice: what was seen of the old one says nothing of the new. */
  restart(): void {
    this.misses = 0;
    this.show(undefined, undefined);
  }

  private sample(): void {
    const { localStream, remoteStream, state } = this.call;
    const mark = this.mark();
    if (state !== 'connected' || !localStream || !remoteStream || !mark) return this.forget();
    const [sent, back] = this.counter?.streams ?? [];
    if (sent !== localStream || back !== remoteStream) {
      this.forget();
      this.counter = new MarkCounter([localStream, remoteStream]);
    }
    const added = this.counter!.added(mark);
    if (added === undefined) return;
    if (added >= DRAWN_SHARE) {
      this.misses = 0;
      return this.show(true, added);
    }
    this.misses++;
    this.show(this.misses >= NOT_FOUND_AFTER ? false : this.found, added);
  }

  private forget(): void {
    this.counter?.close();
    this.counter = undefined;
    this.restart();
  }

  private show(found: boolean | undefined, added: number | undefined): void {
    if (found === this.found && added === this.added) return;
    this.found = found;
    this.added = added;
    this.host.requestUpdate();
  }
}
