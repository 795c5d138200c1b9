// The hubs that decode and mix (Composite, AlphaBlending, Mixer): one GStreamer process per
// hub (engine/gst/mixer.py) takes each port's VP8 and Opus, and gives back one picture for
// every port (unless the hub routes video itself) and each port's own audio mix. It starts
// with the hub and ends with it; ports join and leave it as they are made and released.
//
// If the process dies, the hub says so with an Error event and starts another once, brought
// back to the hub's state: every port joins again, then the subclass's settings are replayed.
// A second death stops the hub's mixing, as a filter's helper does.

import type { RtpPacket } from 'werift';
import { GstHelper, gstreamerMissing, type HelperEvent } from '../../gst/helper-process';
import { KmsError } from '../../protocol/errors';
import type { CodecInfo, MediaKind } from '../../rtp/fanout';
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
/** The SSRCs the mixer sends with (mixer.py): the picture, and each port's audio mix. */
const VIDEO_SSRC = 1;
const AUDIO_SSRC_BASE = 1000;
/** Restarts after the mixer process died, before the hub gives up (as GstFilter). */
const RESTARTS = 1;

/** How the mixer lays out pictures ('none': the hub routes video) and whom each port hears. */
export interface MixerSettings extends Record<string, unknown> {
  layout: 'grid' | 'alpha' | 'none';
  audio: 'others' | 'routed';
}

interface Member {
  id: number;
  /** The mixer that took this port in, and its UDP ports for the port's media. */
  joined?: GstHelper;
  inputs?: { video: number; audio: number };
}

export abstract class MixingHub extends Hub {
  private readonly members = new Map<HubPort, Member>();
  private readonly byId = new Map<number, HubPort>();
  private nextId = 1;
  private mixer: GstHelper | undefined;
  /** The running mixer, once started (undefined if it could not start or stopped for good). */
  private ready: Promise<GstHelper | undefined>;
  private restartsLeft = RESTARTS;
  private readonly refused = new Set<string>();

  protected constructor(
    ctx: EngineContext,
    type: string,
    pipeline: MediaObject,
    private readonly settings: MixerSettings,
  ) {
    super(ctx, type, pipeline);
    const missing = gstreamerMissing(ctx.config.gstPython, MIXER_ELEMENTS);
    if (missing) throw new KmsError('MEDIA_OBJECT_NOT_AVAILABLE', `${type} cannot be created: ${missing}`);
    this.ready = this.launch();
  }

  /** The mixer's commands that restore this hub's settings (replayed after a restart). */
  protected stateCommands(): Record<string, unknown>[] {
    return [];
  }

  /** The mixer's number for `port`, as its commands name it. */
  protected memberId(port: HubPort): number {
    return this.members.get(port)!.id;
  }

  /** Sends a command once the mixer runs, after the joins of every port made before. */
  protected tell(command: Record<string, unknown>): void {
    void this.ready.then((helper) => helper?.send(command));
  }

  private launch(): Promise<GstHelper | undefined> {
    const ready = this.startHelper();
    void ready.then((helper) => {
      if (!helper) return;
      for (const [port, member] of this.members) this.join(helper, port, member);
      for (const command of this.stateCommands()) helper.send(command);
    });
    return ready;
  }

  private async startHelper(): Promise<GstHelper | undefined> {
    try {
      const helper = await GstHelper.start(
        this.ctx.config.gstPython,
        this.ctx.config.helpers,
        (port) => ({ mode: 'mixer', outPort: port, ...this.settings }),
        this.log,
        (packet) => this.onMixed(packet),
        (event) => this.onHelperEvent(event),
      );
      if (this.released) {
        helper.close();
        return undefined;
      }
      helper.onExit = (code) => {
        if (this.mixer === helper) this.onMixerDied(code);
      };
      this.mixer = helper;
      return helper;
    } catch (err) {
      this.log.warn({ err }, 'the mixer did not start');
      this.raiseMixerError(`${this.type} could not start GStreamer: ${(err as Error).message}`);
      return undefined;
    }
  }

  private onMixerDied(code: number | null): void {
    this.mixer = undefined;
    for (const member of this.members.values()) member.inputs = undefined;
    if (this.restartsLeft > 0) {
      this.restartsLeft--;
      this.raiseMixerError(`${this.type}: its GStreamer process ended (code ${code}); restarting it`);
      this.ready = this.launch();
    } else {
      this.raiseMixerError(`${this.type}: its GStreamer process ended again (code ${code}); the hub stopped mixing`);
      this.ready = Promise.resolve(undefined);
    }
  }

  private raiseMixerError(description: string): void {
    this.log.warn(description);
    this.raise('Error', { description, errorCode: 40000, type: 'MIXER_ERROR' });
  }

  /** Takes `port` into `helper` (once per process). */
  private join(helper: GstHelper, port: HubPort, member: Member): void {
    if (member.joined === helper) return;
    member.joined = helper;
    helper
      .request({ cmd: 'add-port', port: member.id })
      .then((reply) => {
        if (this.mixer !== helper || !this.members.has(port)) return;
        member.inputs = { video: Number(reply.videoPort), audio: Number(reply.audioPort) };
        port.requestKeyframeFromSource('video');
      })
      .catch((err: unknown) => {
        // A hub released meanwhile ends its mixer before it answers: nothing went wrong.
        if (!this.released && this.mixer === helper) this.log.warn({ err }, 'a port could not join the mixer');
      });
  }

  protected override onPortAdded(port: HubPort): void {
    const member: Member = { id: this.nextId++ };
    this.members.set(port, member);
    this.byId.set(member.id, port);
    void this.ready.then((helper) => {
      if (helper && this.members.has(port)) this.join(helper, port, member);
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
    if (kind === 'video' && this.settings.layout === 'none') {
      this.routeVideo(port, packet, codec);
      return;
    }
    const inputs = this.members.get(port)?.inputs;
    if (!inputs) return;
    const mime = codec?.mimeType.toLowerCase();
    if (mime && mime !== WANTED[kind]) {
      if (!this.refused.has(mime)) {
        this.refused.add(mime);
        port.raise('Error', {
          description: `${this.type} mixes VP8 and Opus only, not ${codec!.mimeType}`,
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

  /** Video that the hub routes itself (layout 'none'), as it came into `port`. */
  protected routeVideo(_port: HubPort, _packet: RtpPacket, _codec: CodecInfo | undefined): void {}

  onPortKeyframeRequest(port: HubPort, kind: MediaKind): void {
    if (kind !== 'video') return;
    // One picture for every port: any port's sink asking for a keyframe gets one for all.
    if (this.settings.layout !== 'none') this.mixer?.send({ cmd: 'keyframe' });
    else this.onRoutedKeyframeRequest(port);
  }

  /** A sink of `port` needs a keyframe of the video the hub routes to it. */
  protected onRoutedKeyframeRequest(_port: HubPort): void {}

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
    else if (event.event === 'error') this.log.warn({ message: event.message }, 'mixer error');
  }

  protected override async dispose(): Promise<void> {
    const helper = await this.ready;
    this.mixer = undefined;
    helper?.close();
    await super.dispose();
  }
}
