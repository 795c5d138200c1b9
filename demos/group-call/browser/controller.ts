// The group-call (SFU) flow as a Lit ReactiveController, in the Java group-call tutorial's
// messages: join a room, publish your camera, receive each other participant on its own
// peer connection, and follow arrivals and departures. Turning your microphone or camera off
// is told to the others (mediaState), whose pages mark your tile.

import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { NAME_PATTERN, type GroupCallClientMessage, type GroupCallServerMessage } from '../messages';
import type { MediaState } from '../../../server/signaling/messages';
import { describeError } from '../../../client/controllers/describe-error';
import { candidateToWire, PeerSession } from '../../../client/controllers/peer';
import { endsSession } from '../../../client/controllers/session-over';
import { SignalingClient } from '../../../client/controllers/signaling';
import type { StatsSample } from '../../../client/controllers/stats';

export interface Tile {
  name: string;
  self: boolean;
  stream: MediaStream | undefined;
}

const NAME = new RegExp(NAME_PATTERN);

export class GroupCallController implements ReactiveController {
  /** Asked to join, waiting for the room's answer. */
  joining = false;
  joined = false;
  name = '';
  room = '';
  error = '';
  /** Each participant's microphone and camera (yours too), as last told; absent means both on. */
  media = new Map<string, MediaState>();
  tiles: Tile[] = [];
  stats: StatsSample[] = [];
  /** One peer connection per stream: our own name publishes, each other name receives. */
  readonly peers = new Map<string, PeerSession>();
  private signaling: SignalingClient<GroupCallClientMessage, GroupCallServerMessage> | undefined;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    this.leave();
  }

  join(name: string, room: string): void {
    if (this.joined || this.joining) return;
    // Said in words here, before the server would refuse it in a schema's.
    if (!NAME.test(name))
      return this.set({ error: 'Choose a name: 1 to 64 letters, digits, spaces, dots, underscores or hyphens.' });
    if (!NAME.test(room))
      return this.set({ error: 'Choose a room: 1 to 64 letters, digits, spaces, dots, underscores or hyphens.' });
    this.set({ joining: true, name, room, error: '', tiles: [], stats: [] });
    const signaling = new SignalingClient<GroupCallClientMessage, GroupCallServerMessage>('/groupcall');
    this.signaling = signaling;
    signaling.on('message', (m) => void this.onMessage(m));
    signaling.on('close', (reason) => this.fail(`Signaling closed: ${reason}`));
    signaling.send({ id: 'joinRoom', name, room }).catch((err: unknown) => this.fail(describeError(err)));
  }

  leave(): void {
    if (!this.joined && !this.joining) return;
    void this.signaling?.send({ id: 'leaveRoom' });
    this.teardown();
    this.set({ joined: false, joining: false, tiles: [], stats: [] });
  }

  /** The connection that publishes your camera, once it exists. */
  get sendingPeer(): PeerSession | undefined {
    return this.joined ? this.peers.get(this.name) : undefined;
  }

  /** Your microphone or camera went on or off (the call controls): the others are told. */
  mediaChanged(media: MediaState): void {
    this.media.set(this.name, media);
    this.host.requestUpdate();
    void this.signaling?.send({ id: 'mediaState', media });
  }

  private async onMessage(m: GroupCallServerMessage): Promise<void> {
    try {
      switch (m.id) {
        case 'existingParticipants':
          this.set({ joining: false, joined: true });
          await this.publish();
          for (const name of m.data) await this.receive(name);
          return;
        case 'newParticipantArrived':
          await this.receive(m.name);
          return;
        case 'participantMediaState':
          this.media.set(m.name, m.media);
          this.host.requestUpdate();
          return;
        case 'participantLeft':
          this.peers.get(m.name)?.close();
          this.peers.delete(m.name);
          this.media.delete(m.name);
          this.set({ tiles: this.tiles.filter((t) => t.name !== m.name) });
          return;
        case 'receiveVideoAnswer':
          await this.peers.get(m.name)?.acceptAnswer(m.sdpAnswer);
          return;
        case 'iceCandidate':
          await this.peers.get(m.name)?.addRemoteCandidate(m.candidate as RTCIceCandidateInit);
          return;
        case 'error':
          // Refused while joining (a name taken, the media server down), or out of the room
          // now (the media server lost, an operator): not in the room.
          if (this.joining || endsSession(m)) this.fail(m.message);
          else this.set({ error: m.message });
          return;
      }
    } catch (err) {
      this.fail(describeError(err));
    }
  }

  private newPeer(name: string): PeerSession {
    const peer = new PeerSession({
      onIceCandidate: (c) =>
        void this.signaling?.send({
          id: 'onIceCandidate',
          name,
          candidate: candidateToWire(c),
        }),
      // The publishing connection receives nothing: its own tile keeps the camera preview.
      onRemoteStream: (stream) => {
        if (name !== this.name) this.setTile(name, stream);
      },
      // Without its own connection the page is not in the call; one other's failing is news.
      onFailed: (reason) => (name === this.name ? this.fail(reason) : this.set({ error: `${name}: ${reason}` })),
    });
    this.peers.set(name, peer);
    return peer;
  }

  private async publish(): Promise<void> {
    const peer = this.newPeer(this.name);
    const sdpOffer = await peer.offerWithCamera();
    this.setTile(this.name, peer.localStream, true);
    peer.sampleStats((stats) => this.set({ stats }));
    await this.signaling?.send({ id: 'receiveVideoFrom', sender: this.name, sdpOffer });
  }

  private async receive(name: string): Promise<void> {
    this.peers.get(name)?.close();
    const peer = this.newPeer(name);
    this.setTile(name, undefined);
    await this.signaling?.send({ id: 'receiveVideoFrom', sender: name, sdpOffer: await peer.offerToReceive() });
  }

  private setTile(name: string, stream: MediaStream | undefined, self = false): void {
    const others = this.tiles.filter((t) => t.name !== name);
    const tile = { name, self: self || name === this.name, stream };
    this.set({ tiles: tile.self ? [tile, ...others] : [...others, tile] });
  }

  private fail(message: string): void {
    this.teardown();
    this.set({ joined: false, joining: false, tiles: [], stats: [], error: message });
  }

  private teardown(): void {
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
    this.signaling?.close();
    this.signaling = undefined;
    this.media.clear();
  }

  private set(patch: Partial<GroupCallController>): void {
    Object.assign(this, patch);
    this.host.requestUpdate();
  }
}
