// A WebRtcEndpoint's data channels, as KMS's kmswebrtcsession.c keeps them: one open channel
// per endpoint (MAX_DATA_CHANNELS), whether the peer or `createDataChannel` opened it; a
// second one is closed as soon as it opens. What the channel receives is the element's DATA
// output; what reaches its DATA input goes out on the channel.

import type { RTCDataChannel, RTCPeerConnection } from 'werift';
import type { DataMessage } from '../media/data-fanout';
import { KmsError } from '../protocol/errors';

export interface DataChannelOptions {
  label: string;
  ordered: boolean;
  maxPacketLifeTime: number;
  maxRetransmits: number;
  protocol: string;
}

interface DataChannelEvents {
  opened(channelId: number): void;
  closed(channelId: number): void;
  message(message: DataMessage): void;
}

/** KMS's bound for both limits: an unsigned short (WebRtcEndpointImpl::createDataChannel). */
const MAX_USHORT = 65535;

export class DataChannels {
  private current: RTCDataChannel | undefined;
  private readonly all = new Set<RTCDataChannel>();

  constructor(
    private readonly pc: RTCPeerConnection,
    private readonly events: DataChannelEvents,
  ) {
    pc.onDataChannel.subscribe((channel) => this.adopt(channel));
  }

  /** createDataChannel: negative limits mean none; both at once is KMS's "Syntax error". */
  create(options: DataChannelOptions): void {
    const lifeTime = options.maxPacketLifeTime < 0 ? undefined : Math.min(options.maxPacketLifeTime, MAX_USHORT);
    const retransmits = options.maxRetransmits < 0 ? undefined : Math.min(options.maxRetransmits, MAX_USHORT);
    if (lifeTime !== undefined && retransmits !== undefined) {
      throw new KmsError(
        'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR',
        'Syntax error: maxPacketLifeTime and maxRetransmits cannot both be set',
      );
    }
    let channel: RTCDataChannel;
    try {
      channel = this.pc.createDataChannel(options.label, {
        ordered: options.ordered,
        maxPacketLifeTime: lifeTime,
        maxRetransmits: retransmits,
        protocol: options.protocol,
      });
    } catch (err) {
      throw new KmsError('UNEXPECTED_ERROR', `Can not create data channel: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.adopt(channel);
  }

  /** closeDataChannel: an id with no channel is ignored, as KMS only logs it. */
  close(channelId: number): void {
    for (const channel of this.all) if (channel.id === channelId) channel.close();
  }

  send(message: DataMessage): void {
    const channel = this.current;
    if (channel?.readyState !== 'open') return;
    try {
      channel.send(message);
    } catch {
      // A channel closing under us: its closed event follows.
    }
  }

  private adopt(channel: RTCDataChannel): void {
    this.all.add(channel);
    const onOpen = (): void => {
      if (this.current && this.current !== channel) {
        channel.close();
        return;
      }
      this.current = channel;
      this.events.opened(channel.id);
    };
    if (channel.readyState === 'open') onOpen();
    channel.stateChanged.subscribe((state) => {
      if (state === 'open') onOpen();
      if (state !== 'closed') return;
      this.all.delete(channel);
      if (this.current !== channel) return;
      this.current = undefined;
      this.events.closed(channel.id);
    });
    channel.onMessage.subscribe((message) => {
      if (this.current === channel) this.events.message(message);
    });
  }

  /** Closes every channel; the peer connection closing ends the association too. */
  dispose(): void {
    this.current = undefined;
    for (const channel of this.all) channel.close();
    this.all.clear();
  }
}
