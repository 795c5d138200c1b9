// A browser peer for media-server tests: one Chromium page holding one RTCPeerConnection,
// driven from the test with plain SDP strings and candidates, so a test can stand in for any
// application (kurento-client calls on one side, a real browser on the other).

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';

export type Candidate = { candidate: string; sdpMid?: string | null; sdpMLineIndex?: number | null };

export interface VideoStats {
  /** Inbound video: frames decoded and their width (0 when nothing came). */
  framesDecoded: number;
  frameWidth: number;
  /** Outbound video, when the page sends. */
  bytesSent: number;
  sentWidth: number;
  sentFps: number;
  /** Chrome's own bandwidth estimate and why it holds back, when it sends. */
  availableOutgoingBitrate: number;
  qualityLimitationReason: string;
  timestamp: number;
}

/** A page served over http://127.0.0.1 so that getUserMedia counts it as a secure context. */
export class PeerPageServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<PeerPageServer> {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>peer</title><body></body>');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    return new PeerPageServer(server, `http://127.0.0.1:${port}/`);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

export class BrowserPeer {
  private readonly candidateListeners: ((c: Candidate) => void)[] = [];

  private constructor(readonly page: Page) {}

  /**
   * Opens a page with a peer connection; `send` adds the fake camera (640x480 unless `video`
   * says otherwise) and microphone.
   */
  static async open(
    browser: Browser,
    pages: PeerPageServer,
    opts: { send: boolean; rtc?: RTCConfiguration; video?: { width: number; height: number } },
  ): Promise<BrowserPeer> {
    const page = await browser.newPage();
    await page.goto(pages.url);
    const peer = new BrowserPeer(page);
    await page.exposeFunction('__candidate', (c: Candidate) => peer.candidateListeners.forEach((l) => l(c)));
    await page.evaluate(
      async ({ send, rtc, video }) => {
        const pc = new RTCPeerConnection(rtc);
        const w = window as unknown as Record<string, unknown>;
        w.pc = pc;
        pc.onicecandidate = (e) => {
          if (e.candidate) (w.__candidate as (c: unknown) => void)(e.candidate.toJSON());
        };
        pc.ontrack = (e) => {
          const video = document.createElement('video');
          video.autoplay = true;
          video.muted = true;
          video.srcObject = e.streams[0] ?? new MediaStream([e.track]);
          document.body.append(video);
        };
        if (send) {
          const stream = await navigator.mediaDevices.getUserMedia({
            audio: true,
            video: { width: { exact: video.width }, height: { exact: video.height } },
          });
          stream.getTracks().forEach((t) => pc.addTrack(t, stream));
        } else {
          pc.addTransceiver('audio', { direction: 'recvonly' });
          pc.addTransceiver('video', { direction: 'recvonly' });
        }
      },
      { send: opts.send, rtc: opts.rtc ?? {}, video: opts.video ?? { width: 640, height: 480 } },
    );
    return peer;
  }

  onCandidate(listener: (c: Candidate) => void): void {
    this.candidateListeners.push(listener);
  }

  /** Offers; `videoCodec` (e.g. 'video/H264') keeps only that codec in the offer. */
  createOffer(videoCodec?: string): Promise<string> {
    return this.page.evaluate(async (videoCodec) => {
      const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
      if (videoCodec) {
        const codecs = RTCRtpSender.getCapabilities('video')!.codecs.filter((c) => c.mimeType === videoCodec);
        if (codecs.length === 0) throw new Error(`this browser has no ${videoCodec}`);
        pc.getTransceivers()
          .filter((t) => t.receiver.track.kind === 'video')
          .forEach((t) => t.setCodecPreferences(codecs));
      }
      await pc.setLocalDescription(await pc.createOffer());
      return pc.localDescription!.sdp;
    }, videoCodec);
  }

  setAnswer(sdp: string): Promise<void> {
    return this.page.evaluate(async (sdp) => {
      await (window as unknown as { pc: RTCPeerConnection }).pc.setRemoteDescription({ type: 'answer', sdp });
    }, sdp);
  }

  /** Answers an offer made by the media server (its generateOffer). */
  answer(offer: string): Promise<string> {
    return this.page.evaluate(async (sdp) => {
      const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
      await pc.setRemoteDescription({ type: 'offer', sdp });
      await pc.setLocalDescription(await pc.createAnswer());
      return pc.localDescription!.sdp;
    }, offer);
  }

  addCandidate(c: Candidate): Promise<void> {
    return this.page.evaluate(async (c) => {
      await (window as unknown as { pc: RTCPeerConnection }).pc.addIceCandidate(c);
    }, c);
  }

  videoStats(): Promise<VideoStats> {
    return this.page.evaluate(async () => {
      const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
      const out: VideoStats = {
        framesDecoded: 0,
        frameWidth: 0,
        bytesSent: 0,
        sentWidth: 0,
        sentFps: 0,
        availableOutgoingBitrate: 0,
        qualityLimitationReason: '',
        timestamp: Date.now(),
      };
      (await pc.getStats()).forEach((s: Record<string, unknown>) => {
        if (s.type === 'candidate-pair' && s.nominated) out.availableOutgoingBitrate = Number(s.availableOutgoingBitrate ?? 0);
        if (s.kind !== 'video') return;
        if (s.type === 'inbound-rtp') {
          out.framesDecoded = Number(s.framesDecoded ?? 0);
          out.frameWidth = Number(s.frameWidth ?? 0);
        } else if (s.type === 'outbound-rtp') {
          out.bytesSent += Number(s.bytesSent ?? 0);
          out.sentWidth = Number(s.frameWidth ?? 0);
          out.sentFps = Number(s.framesPerSecond ?? 0);
          out.qualityLimitationReason = String(s.qualityLimitationReason ?? '');
        }
      });
      return out;
    });
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

/** Outbound video bitrate in bps between two samples of the same peer. */
export function sentBitrate(a: VideoStats, b: VideoStats): number {
  return ((b.bytesSent - a.bytesSent) * 8 * 1000) / Math.max(1, b.timestamp - a.timestamp);
}
