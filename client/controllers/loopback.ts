// The loopback flow as a Lit ReactiveController: start sends the camera to the media server
// and shows what comes back; stop or leaving the page ends it. The host component only
// renders `state`, `error`, the streams and the stats. Hello world uses it as it is; the
// filter demos (magic mirror, chroma, effects) add their choices to `start` and send more
// messages (`send`) while it runs.

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ErrorMessage } from '../../server/signaling/messages';
import { describeError } from './describe-error';
import { candidateToWire, openCamera, PeerSession } from './peer';
import { SignalingClient } from './signaling';
import type { StatsSample } from './stats';

export type CallState = 'idle' | 'starting' | 'connected' | 'stopping';

type LoopbackServerMessage =
  | { id: 'startResponse'; sdpAnswer: string }
  | { id: 'iceCandidate'; candidate: unknown }
  | { id: 'applied'; choice: string }
  | ErrorMessage;

type LoopbackClientMessage = { id: string; [field: string]: unknown };

export class LoopbackController<Out extends { id: string } = LoopbackClientMessage> implements ReactiveController {
  private readonly host: ReactiveControllerHost;
  private readonly path: string;
  /** The last choice the server confirmed (filter demos). */
  applied = '';
  state: CallState = 'idle';
  error = '';
  localStream: MediaStream | undefined;
  remoteStream: MediaStream | undefined;
  connection: RTCPeerConnectionState | 'new' = 'new';
  stats: StatsSample[] = [];
  private signaling: SignalingClient<LoopbackClientMessage, LoopbackServerMessage> | undefined;
  private peer: PeerSession | undefined;
  /** Whether the server answered `start`; until then `send` keeps the last message of each kind. */
  private started = false;
  private readonly waiting = new Map<string, Out>();

  constructor(host: ReactiveControllerHost, path: string) {
    this.host = host;
    this.path = path;
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.stop();
  }

  /** `extra`: the demo's own start fields (an overlay, a background, an effect). */
  async start(extra: Record<string, unknown> = {}): Promise<void> {
    if (this.state !== 'idle') return;
    // First, before this page does anything else: see openCamera.
    const camera = openCamera();
    this.set({ state: 'starting', error: '', stats: [], applied: '' });
    const signaling = new SignalingClient<LoopbackClientMessage, LoopbackServerMessage>(this.path);
    this.signaling = signaling;
    const peer = new PeerSession({
      onIceCandidate: (candidate) => void signaling.send({ id: 'onIceCandidate', candidate: candidateToWire(candidate) }),
      onRemoteStream: (stream) => this.set({ remoteStream: stream }),
      onConnectionState: (connection) =>
        this.set({ connection, ...(connection === 'connected' ? { state: 'connected' as const } : {}) }),
      onFailed: (reason) => this.fail(reason),
    });
    this.peer = peer;
    signaling.on('message', (message) => void this.onMessage(message));
    signaling.on('close', (reason) => this.fail(`Signaling closed: ${reason}`));
    try {
      const sdpOffer = await peer.offerWithCamera(camera);
      this.set({ localStream: peer.localStream });
      await signaling.send({ ...extra, id: 'start', sdpOffer });
    } catch (err) {
      // A start that Stop (or leaving the page) ended meanwhile has nothing left to report.
      if (this.peer === peer) this.fail(describeError(err));
    }
  }

  /**
   * A message for the running session (a new choice); ignored when nothing runs. One sent
   * while the session starts waits for the server's answer to `start`: before it, the server
   * has no session, and would answer with an error that ends the call.
   */
  send(message: Out): void {
    if (!this.signaling) return;
    if (this.started) void this.signaling.send(message as unknown as LoopbackClientMessage);
    else this.waiting.set(message.id, message);
  }

  private async onMessage(message: LoopbackServerMessage): Promise<void> {
    try {
      switch (message.id) {
        case 'startResponse':
          await this.peer?.acceptAnswer(message.sdpAnswer);
          this.peer?.sampleStats((stats) => this.set({ stats }));
          this.started = true;
          for (const waiting of this.waiting.values()) this.send(waiting);
          this.waiting.clear();
          return;
        case 'iceCandidate':
          await this.peer?.addRemoteCandidate(message.candidate as RTCIceCandidateInit);
          return;
        case 'applied':
          this.set({ applied: message.choice });
          return;
        case 'error':
          // A filter's trouble (an image it cannot read, a restart) is news, not the end: the
          // session carries on, whether it came before or after the media connected.
          if (this.state !== 'idle' && message.message.startsWith('The filter failed')) this.set({ error: message.message });
          else this.fail(message.message);
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
    this.started = false;
    this.waiting.clear();
    this.localStream = undefined;
    this.remoteStream = undefined;
    // Numbers of a stream that ended are not shown as if it still ran.
    this.stats = [];
    this.connection = 'new';
  }

  private set(patch: Partial<LoopbackController<Out>>): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }
}
