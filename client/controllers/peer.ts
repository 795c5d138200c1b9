// The browser's side of one WebRTC session with the media server: camera, offer, answer
// and trickle ICE. Plain RTCPeerConnection: the flow is the same one kurento-utils'
// WebRtcPeer wraps, written out so a learner can read it in one place.

import { fetchIceConfig, turnErrorText } from './ice-config';
import { StatsSampler, type StatsSample } from './stats';

/** How many one-second stats samples a page keeps: the chart's last minute. */
const STATS_HISTORY = 60;

export interface PeerCallbacks {
  onIceCandidate(candidate: RTCIceCandidateInit): void;
  onRemoteStream(stream: MediaStream): void;
  onConnectionState?(state: RTCPeerConnectionState): void;
  /** The media connection cannot work; `reason` says why in words. */
  onFailed?(reason: string): void;
}

const FAILED = 'The media connection failed (ICE could not connect)';

/** What a call sends unless a page asks otherwise: a microphone and a VGA camera. */
const CAMERA: MediaStreamConstraints = { audio: true, video: { width: 640, height: 480 } };

/**
 * Starts opening the camera and microphone. The browser takes longer over it than over
 * anything else in a call's set-up (a few hundred ms when its capture service is cold), in
 * processes of its own: a page that starts it first sets up its socket and peer connection
 * meanwhile. Hand the promise to `offerWithCamera`.
 */
export function openCamera(constraints: MediaStreamConstraints = CAMERA): Promise<MediaStream> {
  try {
    return navigator.mediaDevices.getUserMedia(constraints);
  } catch (err) {
    // No mediaDevices (a page not served over HTTPS): reported where the promise is awaited.
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

export class PeerSession {
  readonly pc: RTCPeerConnection;
  localStream: MediaStream | undefined;
  private readonly pendingRemote: RTCIceCandidateInit[] = [];
  private haveAnswer = false;
  private sampler: StatsSampler | undefined;

  /** The server's ICE configuration, in place before the first offer gathers candidates. */
  private readonly configured: Promise<void>;
  private gathered = 0;
  private readonly turnErrors = new Set<string>();
  private failed = false;

  constructor(private readonly callbacks: PeerCallbacks) {
    this.pc = new RTCPeerConnection();
    // NOTE: setConfiguration may change the ICE servers until the first setLocalDescription,
    // so the constructor stays synchronous and the offers wait for this.
    this.configured = fetchIceConfig().then((config) => this.pc.setConfiguration(config));
    // The offer that awaits it reports a failure; a peer closed before its offer drops it.
    this.configured.catch(() => undefined);
    this.pc.addEventListener('icecandidate', (e) => {
      if (!e.candidate) return;
      this.gathered++;
      callbacks.onIceCandidate(e.candidate.toJSON());
    });
    this.pc.addEventListener('icecandidateerror', (e) => {
      const error = e as RTCPeerConnectionIceErrorEvent;
      if (error.url?.startsWith('turn')) this.turnErrors.add(turnErrorText(error.errorCode, error.errorText));
    });
    // Relaying only, a page with no relay candidate can never connect: say so now, and why,
    // rather than after ICE's timeout.
    this.pc.addEventListener('icegatheringstatechange', () => {
      if (this.pc.iceGatheringState !== 'complete' || this.gathered > 0) return;
      if (this.pc.getConfiguration().iceTransportPolicy === 'relay') this.fail('no TURN relay could be set up');
    });
    this.pc.addEventListener('track', (e) => {
      const stream = e.streams[0] ?? new MediaStream([e.track]);
      callbacks.onRemoteStream(stream);
    });
    this.pc.addEventListener('connectionstatechange', () => {
      callbacks.onConnectionState?.(this.pc.connectionState);
      if (this.pc.connectionState === 'failed') this.fail();
    });
  }

  private fail(why?: string): void {
    if (this.failed) return;
    this.failed = true;
    const reasons = [...(why ? [why] : []), ...this.turnErrors];
    this.callbacks.onFailed?.(reasons.length ? `${FAILED}: ${reasons.join('; ')}` : FAILED);
  }

  /**
   * Opens the camera and microphone (or takes the ones `openCamera` is opening) and makes
   * the offer to send to the server.
   */
  async offerWithCamera(camera: MediaStreamConstraints | Promise<MediaStream> = CAMERA): Promise<string> {
    const stream = await (camera instanceof Promise ? camera : openCamera(camera));
    // Closed while the browser opened the camera (Stop, a failed start): it is ours to close.
    if (this.pc.signalingState === 'closed') {
      for (const track of stream.getTracks()) track.stop();
      throw new Error('The call ended while the camera was opening');
    }
    this.localStream = stream;
    for (const track of stream.getTracks()) this.pc.addTrack(track, stream);
    await this.configured;
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    return offer.sdp ?? '';
  }

  /** Makes a receive-only offer (a viewer: no camera needed). */
  async offerToReceive(): Promise<string> {
    this.pc.addTransceiver('audio', { direction: 'recvonly' });
    this.pc.addTransceiver('video', { direction: 'recvonly' });
    await this.configured;
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    return offer.sdp ?? '';
  }

  /** Turns the camera or the microphone off (the track sends black or silence) and on. */
  setEnabled(kind: 'audio' | 'video', enabled: boolean): void {
    for (const track of this.localStream?.getTracks() ?? []) if (track.kind === kind) track.enabled = enabled;
  }

  isEnabled(kind: 'audio' | 'video'): boolean {
    return this.localStream?.getTracks().some((t) => t.kind === kind && t.enabled) ?? false;
  }

  /** The device a local track comes from, if any. */
  deviceOf(kind: 'audio' | 'video'): string | undefined {
    return this.localStream
      ?.getTracks()
      .find((t) => t.kind === kind)
      ?.getSettings().deviceId;
  }

  /**
   * Switches the camera or the microphone mid-call: the new device's track replaces the old one
   * on the same sender (no new offer), in the same local stream, keeping on/off as it was.
   */
  async useDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    const stream = this.localStream;
    const old = stream?.getTracks().find((t) => t.kind === kind);
    if (!stream || !old) return;
    const constraints =
      kind === 'video'
        ? { video: { deviceId: { exact: deviceId }, width: 640, height: 480 } }
        : { audio: { deviceId: { exact: deviceId } } };
    const [track] = (await navigator.mediaDevices.getUserMedia(constraints)).getTracks();
    if (!track) return;
    track.enabled = old.enabled;
    await this.pc
      .getSenders()
      .find((s) => s.track === old)
      ?.replaceTrack(track);
    stream.removeTrack(old);
    stream.addTrack(track);
    old.stop();
  }

  async acceptAnswer(sdp: string): Promise<void> {
    await this.pc.setRemoteDescription({ type: 'answer', sdp });
    this.haveAnswer = true;
    for (const c of this.pendingRemote.splice(0)) await this.pc.addIceCandidate(c);
  }

  async addRemoteCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (!this.haveAnswer) {
      this.pendingRemote.push(candidate);
      return;
    }
    await this.pc.addIceCandidate(candidate);
  }

  /** Samples this connection's stats once a second and hands over the last minute; stops with close(). */
  sampleStats(onHistory: (history: StatsSample[]) => void): void {
    this.sampler?.stop();
    let history: StatsSample[] = [];
    this.sampler = new StatsSampler(this.pc, (sample) => {
      history = [...history.slice(1 - STATS_HISTORY), sample];
      onHistory(history);
    });
    this.sampler.start();
  }

  close(): void {
    this.sampler?.stop();
    this.sampler = undefined;
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
    this.localStream = undefined;
    this.pc.close();
  }
}

/** A browser candidate in the signaling messages' shape (the tutorials' `candidate` object). */
export function candidateToWire(c: RTCIceCandidateInit): {
  candidate: string;
  sdpMid: string | null;
  sdpMLineIndex: number | null;
} {
  return { candidate: c.candidate ?? '', sdpMid: c.sdpMid ?? null, sdpMLineIndex: c.sdpMLineIndex ?? null };
}
