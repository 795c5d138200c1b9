// What a player-mode GStreamer helper sends (VP8 on payload type 96, Opus on 111), made an
// element's outputs: told apart by payload type, and restamped so the stream stays one
// continuous stream when the helper seeks or is replaced (PlayerEndpoint, HttpPostEndpoint).

import type { RtpPacket } from 'werift';
import type { MediaKind, RtpFanout } from '../rtp/fanout';
import { RtpRestamper } from '../rtp/restamper';

const VIDEO_PT = 96;
const CODECS = {
  video: { mimeType: 'video/VP8', clockRate: 90000 },
  audio: { mimeType: 'audio/opus', clockRate: 48000 },
};

export class HelperOutputs {
  private readonly restampers = { video: new RtpRestamper(90000), audio: new RtpRestamper(48000) };

  constructor(private readonly output: (kind: MediaKind) => RtpFanout) {}

  push(packet: RtpPacket): void {
    const kind: MediaKind = packet.header.payloadType === VIDEO_PT ? 'video' : 'audio';
    const out = this.output(kind);
    out.codec ??= CODECS[kind];
    out.push(this.restampers[kind].restamp(packet));
  }
}
