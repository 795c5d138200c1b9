// The stage MediaElement.setVideoFormat puts after an element's video: a GStreamer helper that
// decodes it, sets the frame rate (videorate) and encodes it again in the codec asked for.
// It is a filter with no object id of its own: nobody can reach it but its owner, whose
// Error event carries its troubles, and it goes when its owner goes or takes a new format.

import type { MediaKind, RtpFanout } from '../../rtp/fanout';
import type { FormatStage, MediaElement, VideoFormat } from '../media-element';
import type { EngineContext } from '../media-object';
import { GstFilter } from './gst-filter';

const H264 = { mimeType: 'video/H264', clockRate: 90000 };

export class VideoFormatStage extends GstFilter implements FormatStage {
  private readonly owner: MediaElement;
  private readonly format: VideoFormat;

  constructor(ctx: EngineContext, owner: MediaElement, format: VideoFormat) {
    const encoder = format.codec === 'H264' ? ['openh264enc', 'rtph264pay'] : [];
    super(ctx, 'VideoFormat', owner.mediaPipeline, ['videorate', ...encoder]);
    this.owner = owner;
    this.format = format;
    if (format.codec === 'H264') this.outputCodec = H264;
    this.feedFrom(owner);
  }

  get videoOut(): RtpFanout {
    return this.output('video');
  }

  protected process(): Record<string, unknown> {
    const { numerator, denominator } = this.format.framerate;
    return { kind: 'rate', framerate: `${numerator}/${denominator}` };
  }

  protected override helperState(): Record<string, unknown> {
    return { encoder: this.format.codec === 'H264' ? 'h264' : 'vp8' };
  }

  /** Its Error events are its owner's; nothing else it raises concerns a client. */
  override raise(type: string, data: Record<string, unknown> = {}): void {
    if (type === 'Error') this.owner.raise(type, data);
  }

  protected override transcoding(kind: MediaKind): boolean {
    return kind === 'video';
  }
}
