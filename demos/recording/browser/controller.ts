// The recording flow: record the camera (shown back through the media server), pause and
// resume, stop (the server finishes and stores the file, and names it), then play it back.
// One signaling socket for the page; one peer connection at a time.

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { RecordingClientMessage, RecordingServerMessage } from '../messages';
import { describeError } from '../../../client/controllers/describe-error';
import { candidateToWire, PeerSession } from '../../../client/controllers/peer';
import { SignalingClient } from '../../../client/controllers/signaling';
import type { StatsSample } from '../../../client/controllers/stats';

export type RecordingState = 'idle' | 'starting' | 'recording' | 'paused' | 'stopping' | 'playing';
export type RecordingMode = 'both' | 'video-only' | 'audio-only';

export class RecordingController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  state: RecordingState = 'idle';
  error = '';
  localStream: MediaStream | undefined;
  remoteStream: MediaStream | undefined;
  stats: StatsSample[] = [];
  /** The recording just made, to play back or open in the recordings page. */
  recordingId: string | undefined;
  private signaling: SignalingClient<RecordingClientMessage, RecordingServerMessage> | undefined;
  peer: PeerSession | undefined;

  constructor(host: ReactiveControllerHost) {
    this.host = host;
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.peer?.close();
    this.signaling?.close();
    this.signaling = undefined;
  }

  private connect(): SignalingClient<RecordingClientMessage, RecordingServerMessage> {
    if (this.signaling) return this.signaling;
    const signaling = new SignalingClient<RecordingClientMessage, RecordingServerMessage>('/recording');
    signaling.on('message', (message) => void this.onMessage(message));
    signaling.on('close', (reason) => {
      this.signaling = undefined;
      this.fail(`Signaling closed: ${reason}`);
    });
    this.signaling = signaling;
    return signaling;
  }

  private newPeer(): PeerSession {
    this.peer?.close();
    const signaling = this.connect();
    const peer = new PeerSession({
      onIceCandidate: (candidate) => void signaling.send({ id: 'onIceCandidate', candidate: candidateToWire(candidate) }),
      onRemoteStream: (stream) => this.set({ remoteStream: stream }),
      onFailed: (reason) => this.fail(reason),
    });
    this.peer = peer;
    return peer;
  }

  async record(mode: RecordingMode): Promise<void> {
    if (this.state !== 'idle') return;
    this.set({ state: 'starting', error: '', stats: [], recordingId: undefined });
    try {
      const peer = this.newPeer();
      const video = mode !== 'audio-only';
      const sdpOffer = await peer.offerWithCamera({ audio: mode !== 'video-only', video: video && { width: 640, height: 480 } });
      this.set({ localStream: peer.localStream });
      await this.connect().send({ id: 'start', sdpOffer, mode });
    } catch (err) {
      this.fail(describeError(err));
    }
  }

  pause(): void {
    if (this.state === 'recording') void this.signaling?.send({ id: 'pause' });
  }

  resume(): void {
    if (this.state === 'paused') void this.signaling?.send({ id: 'resume' });
  }

  stop(): void {
    if (this.state === 'recording' || this.state === 'paused' || this.state === 'starting') {
      this.set({ state: 'stopping' });
      void this.signaling?.send({ id: 'stop' });
    } else if (this.state === 'playing') {
      void this.signaling?.send({ id: 'stopPlay' });
      this.endMedia();
    }
  }

  async play(recordingId = this.recordingId): Promise<void> {
    if (this.state !== 'idle') return;
    this.set({ state: 'playing', error: '', stats: [] });
    try {
      const sdpOffer = await this.newPeer().offerToReceive();
      await this.connect().send({ id: 'play', sdpOffer, ...(recordingId ? { recordingId } : {}) });
    } catch (err) {
      this.fail(describeError(err));
    }
  }

  private async onMessage(message: RecordingServerMessage): Promise<void> {
    try {
      switch (message.id) {
        case 'startResponse':
        case 'playResponse':
          await this.peer?.acceptAnswer(message.sdpAnswer);
          this.peer?.sampleStats((stats) => this.set({ stats }));
          return;
        case 'iceCandidate':
          await this.peer?.addRemoteCandidate(message.candidate as RTCIceCandidateInit);
          return;
        case 'recording':
          this.set({ state: 'recording' });
          return;
        case 'paused':
          this.set({ state: 'paused' });
          return;
        case 'stopped':
          this.endMedia();
          this.set({ recordingId: message.recordingId });
          return;
        case 'playEnd':
          this.endMedia();
          return;
        case 'error':
          this.fail(message.message);
          return;
      }
    } catch (err) {
      this.fail(describeError(err));
    }
  }

  /** The media part ends; the socket stays for the next action. */
  private endMedia(): void {
    this.peer?.close();
    this.peer = undefined;
    this.set({ state: 'idle', localStream: undefined, remoteStream: undefined, stats: [] });
  }

  private fail(message: string): void {
    this.endMedia();
    this.set({ error: message });
  }

  private set(patch: Partial<RecordingController>): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }
}
