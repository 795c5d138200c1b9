// The one-to-many (broadcast) flow as a Lit ReactiveController: present your camera to a
// room, or watch a room's presenter; the audience size arrives live. It speaks the official
// tutorial's messages over /one2many, plus the optional room.

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { One2ManyClientMessage, One2ManyServerMessage } from '../messages';
import { describeError } from '../../../client/controllers/describe-error';
import { candidateToWire, PeerSession } from '../../../client/controllers/peer';
import { endsSession } from '../../../client/controllers/session-over';
import { SignalingClient } from '../../../client/controllers/signaling';
import type { StatsSample } from '../../../client/controllers/stats';
import type { MediaState } from '../../../server/signaling/messages';

export type One2ManyState = 'idle' | 'starting' | 'presenting' | 'viewing';

export class One2ManyController implements ReactiveController {
  state: One2ManyState = 'idle';
  error = '';
  notice = '';
  viewers = 0;
  /** The room asked for ('' for the tutorial's default one). */
  room = '';
  localStream: MediaStream | undefined;
  remoteStream: MediaStream | undefined;
  stats: StatsSample[] = [];
  /** The presenter's microphone and camera, as a viewer is told (presenterMediaState). */
  presenterMedia: MediaState = { audio: true, video: true };
  private signaling: SignalingClient<One2ManyClientMessage, One2ManyServerMessage> | undefined;
  private peer: PeerSession | undefined;
  private role: 'presenter' | 'viewer' = 'viewer';

  /** The connection that sends the presenter's camera, while presenting. */
  get sendingPeer(): PeerSession | undefined {
    return this.state === 'presenting' ? this.peer : undefined;
  }

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.stop();
  }

  async start(role: 'presenter' | 'viewer', room: string): Promise<void> {
    if (this.state !== 'idle') return;
    this.role = role;
    this.set({
      state: 'starting',
      error: '',
      notice: '',
      viewers: 0,
      stats: [],
      room,
      presenterMedia: { audio: true, video: true },
    });
    const signaling = new SignalingClient<One2ManyClientMessage, One2ManyServerMessage>('/one2many');
    this.signaling = signaling;
    signaling.on('message', (m) => void this.onMessage(m));
    signaling.on('close', (reason) => this.fail(`Signaling closed: ${reason}`));
    this.peer = new PeerSession({
      onIceCandidate: (c) =>
        void signaling.send({
          id: 'onIceCandidate',
          candidate: candidateToWire(c),
        }),
      onRemoteStream: (remoteStream) => this.set({ remoteStream }),
      onFailed: (reason) => this.fail(reason),
    });
    try {
      const sdpOffer = role === 'presenter' ? await this.peer.offerWithCamera() : await this.peer.offerToReceive();
      this.set({ localStream: this.peer.localStream });
      await signaling.send({ id: role, sdpOffer, countViewers: true, ...(room ? { room } : {}) });
    } catch (err) {
      this.fail(describeError(err));
    }
  }

  /** The presenter turned their microphone or camera on or off: the viewers' pages are told. */
  mediaChanged(media: MediaState): void {
    if (this.state === 'presenting') void this.signaling?.send({ id: 'mediaState', media });
  }

  stop(): void {
    if (this.state === 'idle') return;
    void this.signaling?.send({ id: 'stop' });
    this.teardown();
    this.set({ state: 'idle', notice: 'Stopped' });
  }

  private async onMessage(m: One2ManyServerMessage): Promise<void> {
    try {
      switch (m.id) {
        case 'presenterResponse':
        case 'viewerResponse':
          if (m.response === 'rejected') return this.fail(m.message);
          await this.peer?.acceptAnswer(m.sdpAnswer);
          this.peer?.sampleStats((stats) => this.set({ stats }));
          this.set({ state: this.role === 'presenter' ? 'presenting' : 'viewing' });
          return;
        case 'viewerCount':
          this.set({ viewers: m.count });
          return;
        case 'presenterMediaState':
          this.set({ presenterMedia: m.media });
          return;
        case 'stopCommunication':
          this.teardown();
          this.set({ state: 'idle', notice: `The broadcast ended: ${m.reason ?? 'the presenter left'}` });
          return;
        case 'iceCandidate':
          await this.peer?.addRemoteCandidate(m.candidate as RTCIceCandidateInit);
          return;
        case 'error':
          if (endsSession(m)) this.fail(m.message);
          else this.set({ error: m.message });
          return;
      }
    } catch (err) {
      this.fail(describeError(err));
    }
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
    // Numbers of a stream that ended are not shown as if it still ran.
    this.stats = [];
  }

  private set(patch: Partial<One2ManyController>): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }
}
