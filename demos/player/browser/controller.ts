// The player flow: play a URL or a recording, with pause/resume, seek and position (the
// player tutorial's messages). The host renders `state`, `info`, `position` and errors.

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { PlayerClientMessage, PlayerServerMessage } from '../messages';
import { describeError } from '../../../client/controllers/describe-error';
import { candidateToWire, PeerSession } from '../../../client/controllers/peer';
import { SignalingClient } from '../../../client/controllers/signaling';
import type { StatsSample } from '../../../client/controllers/stats';

export type PlayerState = 'idle' | 'starting' | 'playing' | 'paused';

export interface VideoInfo {
  isSeekable: boolean;
  initSeekable: number;
  endSeekable: number;
  videoDuration: number;
}

export class PlayerController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  state: PlayerState = 'idle';
  error = '';
  notice = '';
  remoteStream: MediaStream | undefined;
  stats: StatsSample[] = [];
  info: VideoInfo | undefined;
  position = 0;
  ended = false;
  private signaling: SignalingClient<PlayerClientMessage, PlayerServerMessage> | undefined;
  peer: PeerSession | undefined;

  constructor(host: ReactiveControllerHost) {
    this.host = host;
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.stop();
  }

  async start(videourl: string): Promise<void> {
    if (this.state !== 'idle') return;
    this.set({ state: 'starting', error: '', notice: '', stats: [], info: undefined, position: 0, ended: false });
    const signaling = new SignalingClient<PlayerClientMessage, PlayerServerMessage>('/player');
    this.signaling = signaling;
    const peer = new PeerSession({
      onIceCandidate: (candidate) => void signaling.send({ id: 'onIceCandidate', candidate: candidateToWire(candidate) }),
      onRemoteStream: (stream) => this.set({ remoteStream: stream }),
      onFailed: (reason) => this.fail(reason),
    });
    this.peer = peer;
    signaling.on('message', (message) => void this.onMessage(message));
    signaling.on('close', (reason) => this.state !== 'idle' && this.fail(`Signaling closed: ${reason}`));
    try {
      await signaling.send({ id: 'start', sdpOffer: await peer.offerToReceive(), videourl });
    } catch (err) {
      this.fail(describeError(err));
    }
  }

  private async onMessage(message: PlayerServerMessage): Promise<void> {
    try {
      switch (message.id) {
        case 'startResponse':
          await this.peer?.acceptAnswer(message.sdpAnswer);
          this.peer?.sampleStats((stats) => this.set({ stats }));
          this.set({ state: 'playing' });
          return;
        case 'videoInfo':
          this.set({ info: message });
          return;
        case 'position':
          this.set({ position: message.position });
          return;
        case 'seek':
          this.set({ notice: `Seek failed: ${message.message}` });
          return;
        case 'iceCandidate':
          await this.peer?.addRemoteCandidate(message.candidate as RTCIceCandidateInit);
          return;
        case 'playEnd':
          this.teardown();
          this.set({ state: 'idle', ended: true });
          return;
        case 'error':
          this.fail(message.message);
          return;
      }
    } catch (err) {
      this.fail(describeError(err));
    }
  }

  pause(): void {
    if (this.state !== 'playing') return;
    void this.signaling?.send({ id: 'pause' });
    this.set({ state: 'paused' });
  }

  resume(): void {
    if (this.state !== 'paused') return;
    void this.signaling?.send({ id: 'resume' });
    this.set({ state: 'playing' });
  }

  seek(positionMs: number): void {
    void this.signaling?.send({ id: 'doSeek', position: Math.max(0, Math.round(positionMs)) });
  }

  askPosition(): void {
    void this.signaling?.send({ id: 'getPosition' });
  }

  stop(): void {
    if (this.state === 'idle') return;
    void this.signaling?.send({ id: 'stop' });
    this.teardown();
    this.set({ state: 'idle' });
  }

  private fail(message: string): void {
    this.teardown();
    this.set({ state: 'idle', error: message });
  }

  private teardown(): void {
    this.peer?.close();
    this.peer = undefined;
    this.signaling?.close();
    this.signaling = undefined;
    this.remoteStream = undefined;
    // Numbers of a stream that ended are not shown as if it still ran.
    this.stats = [];
  }

  private set(patch: Partial<PlayerController>): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }
}
