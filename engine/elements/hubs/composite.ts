// Composite: KMS's MCU hub. Every port gives out one picture, a grid of the ports whose video
// is arriving (KMS's layout: ceil(sqrt(n)) columns, in the order the ports were made, on
// black, at the constructor's width, height and framerate), and its own mix of every other
// port's audio. An input that stops leaves the grid, and comes back with its next frame.
//
// One GStreamer process per hub (engine/gst/mixer.py) decodes, mixes and encodes; it starts
// with the hub and ends with it. Ports join and leave it as they are made and released.

import type { RtpPacket } from 'werift';
import { GstHelper, gstreamerMissing, type HelperEvent } from '../../gst/helper-process';
import { KmsError } from '../../protocol/errors';
import type { CodecInfo, MediaKind } from '../../rtp/fanout';
import type { Params } from '../../types/params';
import type { EngineContext, MediaObject } from '../media-object';
import { Hub } from './hub';
import type { HubPort } from './hub-port';

const MIXER_ELEMENTS = [
  'compositor',
  'audiomixer',
  'videotestsrc',
  'funnel',
  'tee',
  'udpsrc',
  'rtpjitterbuffer',
  'rtpvp8depay',
  'vp8dec',
  'vp8enc',
  'rtpvp8pay',
  'rtpopusdepay',
  'opusdec',
  'opusenc',
  'rtpopuspay',
  'rtpstreampay',
  'tcpclientsink',
];
const VP8: CodecInfo = { mimeType: 'video/VP8', clockRate: 90000 };
const OPUS: CodecInfo = { mimeType: 'audio/opus', clockRate: 48000 };
/** The payload types the mixer's caps expect, whatever each input negotiated. */
const PAYLOAD_TYPES = { video: 96, audio: 111 };
const WANTED = { video: 'video/vp8', audio: 'audio/opus' };
/** The SSRCs the mixer sends with (mixer.py): the grid, and each port's audio mix. */
const VIDEO_SSRC = 1;
const AUDIO_SSRC_BASE = 1000;

interface Member {
  id: number;
  /** The mixer's UDP ports for this port's media, once it has answered. */
  inputs?: { video: number; audio: number };
}

export class Composite extends Hub {
  private readonly size: { width: number; height: number; framerate: number };
  private readonly members = new Map<HubPort, Member>();
  private readonly byId = new Map<number, HubPort>();
  private nextId = 1;
  /** The mixer process once it runs; `started` settles when it runs or failed to start. */
  private mixer: GstHelper | undefined;
  private readonly started: Promise<GstHelper | undefined>;
  private readonly refused = new Set<string>();

  constructor(ctx: EngineContext, pipeline: MediaObject, params: Params) {
    super(ctx, 'Composite', pipeline);
    this.size = {
      width: (params.width as number | undefined) ?? 800,
      height: (params.height as number | undefined) ?? 600,
      framerate: (params.framerate as number | undefined) ?? 15,
    };
    const { width, height, framerate } = this.size;
    if (width < 16 || height < 16 || width > 3840 || height > 2160 || framerate < 1 || framerate > 60) {
      throw new KmsError(
        'MEDIA_OBJECT_ILLEGAL_PARAM_ERROR',
        'Composite needs a width of 16 to 3840, a height of 16 to 2160 and a framerate of 1 to 60',
      );
    }
    const missing = gstreamerMissing(ctx.config.gstPython, MIXER_ELEMENTS);
    if (missing) throw new KmsError('MEDIA_OBJECT_NOT_AVAILABLE', `Composite cannot be created: ${missing}`);
    this.started = this.startHelper();
  }

  private async startHelper(): Promise<GstHelper | undefined> {
    try {
      const helper = await GstHelper.start(
        this.ctx.config.gstPython,
        this.ctx.config.helpers,
        (port) => ({ mode: 'mixer', outPort: port, ...this.size }),
        this.log,
        (packet) => this.onMixed(packet),
        (event) => this.onHelperEvent(event),
      );
      if (this.released) {
        helper.close();
        return undefined;
      }
      helper.onExit = (code) => this.log.warn({ code }, 'the Composite mixer process ended');
      this.mixer = helper;
      return helper;
    } catch (err) {
      this.log.warn({ err }, 'the Composite mixer did not start');
      this.raise('Error', {
        description: `Composite could not start GStreamer: ${(err as Error).message}`,
        errorCode: 40000,
        type: 'MIXER_ERROR',
      });
      return undefined;
    }
  }

  protected override onPortAdded(port: HubPort): void {
    const member: Member = { id: this.nextId++ };
    this.members.set(port, member);
    this.byId.set(member.id, port);
    void this.started.then(async (helper) => {
      if (!helper || !this.members.has(port)) return;
      try {
        const reply = await helper.request({ cmd: 'add-port', port: member.id });
        member.inputs = { video: Number(reply.videoPort), audio: Number(reply.audioPort) };
        port.requestKeyframeFromSource('video');
      } catch (err) {
        // A hub released meanwhile ends its mixer before it answers: nothing went wrong.
        if (!this.released) this.log.warn({ err }, 'a port could not join the Composite mixer');
      }
    });
  }

  protected override onPortRemoved(port: HubPort): void {
    const member = this.members.get(port);
    if (!member) return;
    this.members.delete(port);
    this.byId.delete(member.id);
    this.mixer?.send({ cmd: 'remove-port', port: member.id });
  }

  onPortPacket(port: HubPort, kind: MediaKind, packet: RtpPacket, codec: CodecInfo | undefined): void {
    const inputs = this.members.get(port)?.inputs;
    if (!inputs) return;
    const mime = codec?.mimeType.toLowerCase();
    if (mime && mime !== WANTED[kind]) {
      if (!this.refused.has(mime)) {
        this.refused.add(mime);
        port.raise('Error', {
          description: `Composite mixes VP8 and Opus only, not ${codec!.mimeType}`,
          errorCode: 40000,
          type: 'CODEC_NOT_SUPPORTED',
        });
      }
      return;
    }
    const buf = packet.serialize();
    buf.writeUInt8((buf.readUInt8(1) & 0x80) | PAYLOAD_TYPES[kind], 1);
    this.mixer?.sendRtp(inputs[kind], buf);
  }

  onPortKeyframeRequest(_port: HubPort, kind: MediaKind): void {
    // One grid for every port: any port's sink asking for a keyframe gets one for all.
    if (kind === 'video') this.mixer?.send({ cmd: 'keyframe' });
  }

  private onMixed(packet: RtpPacket): void {
    const ssrc = packet.header.ssrc;
    if (ssrc === VIDEO_SSRC) {
      for (const port of this.members.keys()) port.deliver('video', packet, VP8);
      return;
    }
    this.byId.get(ssrc - AUDIO_SSRC_BASE)?.deliver('audio', packet, OPUS);
  }

  private onHelperEvent(event: HelperEvent): void {
    if (event.event === 'keyframe-request') this.byId.get(Number(event.port))?.requestKeyframeFromSource('video');
    else if (event.event === 'error') this.log.warn({ message: event.message }, 'Composite mixer error');
  }

  protected override async dispose(): Promise<void> {
    (await this.started)?.close();
    await super.dispose();
  }
}
