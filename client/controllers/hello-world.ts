// The hello-world (loopback) flow as a Lit ReactiveController: start sends the camera to
// the media server and shows what comes back; stop or leaving the page ends it. The host
// component only renders `state`, `error`, the streams and the stats.

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { HelloWorldClientMessage, HelloWorldServerMessage } from '../../server/signaling/protocol/hello-world';
import { candidateToWire, PeerSession } from './peer';
import { SignalingClient } from './signaling';
import type { StatsSample } from './stats';

export type CallState = 'idle' | 'starting' | 'connected' | 'stopping';

export class HelloWorldController implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  state: CallState = 'idle';
  error = '';
  localStream: MediaStream | undefined;
  remoteStream: MediaStream | undefined;
  connection: RTCPeerConnectionState | 'new' = 'new';
  stats: StatsSample[] = [];
  private signaling: SignalingClient<HelloWorldClientMessage, HelloWorldServerMessage> | undefined;
  private peer: PeerSession | undefined;

  constructor(host: ReactiveControllerHost) {
    this.host = host;
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.stop();
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.set({ state: 'starting', error: '', stats: [] });
    const signaling = new SignalingClient<HelloWorldClientMessage, HelloWorldServerMessage>('/helloworld');
    this.signaling = signaling;
    const peer = new PeerSession({
      onIceCandidate: (candidate) => void signaling.send({ id: 'onIceCandidate', candidate: candidateToWire(candidate) }),
      onRemoteStream: (stream) => this.set({ remoteStream: stream }),
      onConnectionState: (connection) => {
        this.set({ connection, ...(connection === 'connected' ? { state: 'connected' as const } : {}) });
        if (connection === 'failed') this.fail('The media connection failed (ICE could not connect)');
      },
    });
    this.peer = peer;
    signaling.on('message', (message) => void this.onMessage(message));
    signaling.on('close', (reason) => this.fail(`Signaling closed: ${reason}`));
    try {
      const sdpOffer = await peer.offerWithCamera();
      this.set({ localStream: peer.localStream });
      await signaling.send({ id: 'start', sdpOffer });
    } catch (err) {
      this.fail(describeError(err));
    }
  }

  private async onMessage(message: HelloWorldServerMessage): Promise<void> {
    try {
      switch (message.id) {
        case 'startResponse':
          await this.peer?.acceptAnswer(message.sdpAnswer);
          this.peer?.sampleStats((stats) => this.set({ stats }));
          return;
        case 'iceCandidate':
          await this.peer?.addRemoteCandidate(message.candidate as RTCIceCandidateInit);
          return;
        case 'error':
          this.fail(message.message);
          return;
      }
    } catch (err) {
      this.fail(describeError(err));
    }
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
    this.localStream = undefined;
    this.remoteStream = undefined;
    this.connection = 'new';
  }

  private set(patch: Partial<HelloWorldController>): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }
}

export function describeError(err: unknown): string {
  if (err instanceof DOMException && err.name === 'NotAllowedError') return 'Camera access was denied';
  if (err instanceof DOMException && err.name === 'NotFoundError') return 'No camera or microphone was found';
  return err instanceof Error ? err.message : String(err);
}
