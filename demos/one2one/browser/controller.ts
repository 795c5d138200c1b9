// The one-to-one call flow as a Lit ReactiveController: register a name, call someone or
// answer a call, hang up. It speaks the official tutorial's messages over /one2one; the host
// component renders `state`, `error`, the streams and the stats.

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { One2OneClientMessage, One2OneServerMessage } from '../messages';
import type { MediaState } from '../../../server/signaling/messages';
import { describeError } from '../../../client/controllers/describe-error';
import { candidateToWire, PeerSession } from '../../../client/controllers/peer';
import { SignalingClient } from '../../../client/controllers/signaling';
import type { StatsSample } from '../../../client/controllers/stats';

export type One2OneState = 'unregistered' | 'registering' | 'registered' | 'calling' | 'incoming' | 'in-call';

export class One2OneController implements ReactiveController {
  state: One2OneState = 'unregistered';
  name = '';
  peerName = '';
  error = '';
  notice = '';
  /** The other side's microphone and camera, as they last said (absent: both on). */
  peerMedia: MediaState | undefined;
  /** Everyone registered now, this page included (listUsers). */
  online: string[] = [];
  localStream: MediaStream | undefined;
  remoteStream: MediaStream | undefined;
  stats: StatsSample[] = [];
  private signaling: SignalingClient<One2OneClientMessage, One2OneServerMessage> | undefined;
  private peer: PeerSession | undefined;
  /** Whether the current call is being recorded (both sides are told). */
  recorded = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.endCall();
    this.signaling?.close();
  }

  register(name: string): void {
    if (this.state !== 'unregistered') return;
    this.set({ state: 'registering', error: '', name });
    const signaling = new SignalingClient<One2OneClientMessage, One2OneServerMessage>('/one2one');
    this.signaling = signaling;
    signaling.on('message', (m) => void this.onMessage(m));
    signaling.on('close', (reason) => {
      this.endCall();
      this.signaling = undefined;
      this.set({ state: 'unregistered', error: `Signaling closed: ${reason}` });
    });
    signaling.send({ id: 'register', name }).catch((err: unknown) => this.fail(describeError(err)));
  }

  /** `record` asks the server to record both sides into the media repository. */
  async call(to: string, record = false): Promise<void> {
    if (this.state !== 'registered') return;
    this.recorded = record;
    this.set({ state: 'calling', peerName: to, error: '', notice: `Calling ${to}${record ? ' (recorded)' : ''}…` });
    const peer = this.newPeer();
    try {
      const sdpOffer = await peer.offerWithCamera();
      this.set({ localStream: peer.localStream });
      await this.signaling?.send({ id: 'call', from: this.name, to, sdpOffer, ...(record ? { record } : {}) });
    } catch (err) {
      // Hung up while the camera opened: the call is over already, with nothing to report.
      if (this.peer === peer) this.fail(describeError(err));
    }
  }

  async accept(): Promise<void> {
    if (this.state !== 'incoming') return;
    const peer = this.newPeer();
    try {
      const sdpOffer = await peer.offerWithCamera();
      this.set({ localStream: peer.localStream, state: 'in-call', notice: this.inCallNotice() });
      await this.signaling?.send({ id: 'incomingCallResponse', from: this.peerName, callResponse: 'accept', sdpOffer });
    } catch (err) {
      // The caller hung up while the camera opened: that call was ended already.
      if (this.peer !== peer) return;
      void this.signaling?.send({ id: 'incomingCallResponse', from: this.peerName, callResponse: 'reject' });
      this.fail(describeError(err));
    }
  }

  reject(): void {
    if (this.state !== 'incoming') return;
    void this.signaling?.send({ id: 'incomingCallResponse', from: this.peerName, callResponse: 'reject', message: 'declined' });
    this.set({ state: 'registered', notice: `You declined the call from ${this.peerName}` });
  }

  stop(): void {
    if (this.state !== 'calling' && this.state !== 'in-call') return;
    void this.signaling?.send({ id: 'stop' });
    this.endCall();
    this.set({ state: 'registered', notice: 'Call ended' });
  }

  /** The connection that sends this page's camera, while a call has one. */
  get sendingPeer(): PeerSession | undefined {
    return this.state === 'in-call' ? this.peer : undefined;
  }

  /** This page's microphone or camera went on or off: the other side is told. */
  mediaChanged(media: MediaState): void {
    this.host.requestUpdate();
    void this.signaling?.send({ id: 'mediaState', media });
  }

  /** Both sides keep seeing that the call is recorded, for as long as it lasts. */
  private inCallNotice(): string {
    return `In a call with ${this.peerName}${this.recorded ? ' (recorded)' : ''}`;
  }

  private newPeer(): PeerSession {
    this.peer?.close();
    this.peer = new PeerSession({
      onIceCandidate: (c) =>
        void this.signaling?.send({
          id: 'onIceCandidate',
          candidate: candidateToWire(c),
        }),
      onRemoteStream: (remoteStream) => this.set({ remoteStream }),
      onFailed: (reason) => this.fail(reason),
    });
    return this.peer;
  }

  private async onMessage(m: One2OneServerMessage): Promise<void> {
    try {
      switch (m.id) {
        case 'peerMediaState':
          this.set({ peerMedia: m.media });
          return;
        case 'onlineUsers':
          this.set({ online: m.names });
          return;
        case 'registerResponse':
          if (m.response === 'accepted') {
            this.set({ state: 'registered', notice: '' });
            void this.signaling?.send({ id: 'listUsers' });
          } else {
            this.signaling?.close();
            this.signaling = undefined;
            this.set({ state: 'unregistered', error: m.message });
          }
          return;
        case 'incomingCall':
          if (this.state !== 'registered') return;
          this.recorded = m.record === true;
          this.set({
            state: 'incoming',
            peerName: m.from,
            notice: `${m.from} is calling you${m.record ? '; the call will be recorded' : ''}`,
          });
          return;
        case 'callResponse':
          if (m.response === 'accepted') {
            await this.startMedia(m.sdpAnswer);
            this.set({ state: 'in-call', notice: this.inCallNotice() });
          } else {
            this.endCall();
            this.set({ state: 'registered', error: `Call not accepted: ${m.message}`, notice: '' });
          }
          return;
        case 'startCommunication':
          await this.startMedia(m.sdpAnswer);
          return;
        case 'stopCommunication':
          if (this.state === 'in-call' || this.state === 'calling' || this.state === 'incoming') {
            this.endCall();
            this.set({ state: 'registered', notice: `The call with ${this.peerName} ended` });
          }
          return;
        case 'iceCandidate':
          await this.peer?.addRemoteCandidate(m.candidate as RTCIceCandidateInit);
          return;
        case 'error':
          this.set({ error: m.message });
          return;
      }
    } catch (err) {
      this.fail(describeError(err));
    }
  }

  private async startMedia(sdpAnswer: string): Promise<void> {
    if (!this.peer) return;
    await this.peer.acceptAnswer(sdpAnswer);
    this.peer.sampleStats((stats) => this.set({ stats }));
  }

  private endCall(): void {
    this.peer?.close();
    this.peer = undefined;
    this.localStream = undefined;
    this.remoteStream = undefined;
    this.peerMedia = undefined;
    this.stats = [];
  }

  private fail(message: string): void {
    if (this.state === 'in-call' || this.state === 'calling') void this.signaling?.send({ id: 'stop' });
    this.endCall();
    this.set({ state: this.signaling ? 'registered' : 'unregistered', error: message });
  }

  private set(patch: Partial<One2OneController>): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }
}
