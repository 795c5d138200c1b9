// HttpPostEndpoint: media uploaded over HTTP becomes this element's output, as KMS's does
// (HttpEndpointImpl, KmsHttpEPServer, KmsHttpPost). getUrl gives an address on the engine's
// HTTP endpoint server; a client POSTs a WebM or MKV stream there, raw (any Content-Type,
// chunked or not) or as the file of a multipart/form-data form. The first upload raises
// MediaSessionStarted. A GStreamer helper reads the upload as it arrives and plays it in
// real time: decoded and re-encoded to VP8 + Opus, or with useEncodedMedia, VP8 and Opus
// passed on as they are. EndOfStream comes when it has played all of it. Once an upload
// ends (finished or cut), another may continue the session within disconnectionTimeout
// seconds; after that the URL is gone (404) and MediaSessionTerminated is raised.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { RtpPacket } from 'werift';
import { GstHelper, gstreamerMissing, type HelperEvent } from '../gst/helper-process';
import type { Registration } from '../media/http-endpoint-server';
import { MultipartFile } from '../media/multipart-file';
import { UploadRelay } from '../media/upload-relay';
import { KmsError } from '../protocol/errors';
import type { MediaKind, RtpFanout } from '../rtp/fanout';
import type { Params } from '../types/params';
import { MediaElement } from './media-element';
import { HelperOutputs } from './helper-outputs';
import type { EngineContext, MediaObject } from './media-object';

const ELEMENTS = ['uridecodebin', 'souphttpsrc', 'videoconvert', 'vp8enc', 'rtpvp8pay', 'opusenc', 'rtpopuspay'];

export class HttpPostEndpoint extends MediaElement {
  private readonly disconnectionTimeoutMs: number;
  private readonly useEncodedMedia: boolean;
  private readonly registration: Registration;
  private sessionStarted = false;
  private terminated = false;
  private expiry: NodeJS.Timeout | undefined;
  /** The upload being received (its request, and the media in it), and the helper and relay playing it. */
  private upload: IncomingMessage | undefined;
  private uploadBody: Readable | undefined;
  private helper: GstHelper | undefined;
  private relay: UploadRelay | undefined;
  private readonly played = new HelperOutputs((kind) => this.output(kind));

  constructor(ctx: EngineContext, pipeline: MediaObject, params: Params) {
    super(ctx, 'HttpPostEndpoint', pipeline);
    this.disconnectionTimeoutMs = Math.max(0, (params.disconnectionTimeout as number | undefined) ?? 2) * 1000;
    this.useEncodedMedia = (params.useEncodedMedia as boolean | undefined) ?? false;
    const missing = gstreamerMissing(ctx.config.gstPython, ELEMENTS);
    if (missing) throw new KmsError('MEDIA_OBJECT_NOT_AVAILABLE', `HttpPostEndpoint cannot be created: ${missing}`);
    this.registration = ctx.httpEndpoints.register((req, res) => this.onUpload(req, res));
    this.handle('getUrl', () => this.url());
  }

  private async url(): Promise<string> {
    if (this.terminated) return ''; // KMS forgets the URL with the session
    try {
      return await this.registration.url;
    } catch (err) {
      throw new KmsError('HTTP_END_POINT_REGISTRATION_ERROR', `Cannot register HttpPostEndpoint: ${(err as Error).message}`);
    }
  }

  private onUpload(req: IncomingMessage, res: ServerResponse): void {
    const refuse = (status: number, why: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain' }).end(why);
      req.resume();
    };
    if (this.upload) return refuse(409, 'An upload to this endpoint is in progress');
    const contentType = req.headers['content-type'];
    if (!contentType) return refuse(406, 'Request not acceptable, no content-type header present');
    let body: Readable = req;
    if (/^multipart\//i.test(contentType)) {
      const boundary = MultipartFile.boundaryOf(contentType);
      if (!boundary) return refuse(406, 'Request not acceptable, malformed or unsupported multipart POST request');
      const file = new MultipartFile(boundary);
      file.on('error', (err) => {
        this.log.debug({ err }, 'a multipart upload was malformed');
        req.destroy();
      });
      body = req.pipe(file);
    }
    clearTimeout(this.expiry);
    this.upload = req;
    this.uploadBody = body;
    if (!this.sessionStarted) {
      this.sessionStarted = true;
      this.raise('MediaSessionStarted');
    }
    req.on('end', () => {
      if (!res.headersSent) res.writeHead(200, { 'content-type': 'text/plain' }).end('OK');
    });
    req.on('close', () => {
      if (this.upload !== req) return;
      this.upload = undefined;
      this.uploadBody = undefined;
      if (this.released) return;
      // The session waits this long for another upload before it ends, as KMS's cookie does.
      this.expiry = setTimeout(() => this.terminate(), this.disconnectionTimeoutMs);
      this.expiry.unref();
    });
    this.play(body, /^multipart\//i.test(contentType) ? 'application/octet-stream' : contentType).catch((err: unknown) => {
      this.raiseError('HTTP_POST_ERROR', `The upload could not be played: ${(err as Error).message}`);
      if (!res.headersSent) res.writeHead(503, { 'content-type': 'text/plain' }).end('The media server cannot play it now');
      req.destroy();
    });
  }

  /** A new helper playing `body`; one still playing an earlier upload gives way. */
  private async play(body: Readable, contentType: string): Promise<void> {
    this.stopPlaying();
    const relay = await UploadRelay.open(body, contentType);
    this.relay = relay;
    const helper = await GstHelper.start(
      this.ctx.config.gstPython,
      this.ctx.config.helpers,
      (port) => ({ mode: 'player', uri: relay.url, videoPort: port, audioPort: port, encoded: this.useEncodedMedia }),
      this.log,
      (packet) => this.played.push(packet),
      (event) => this.onHelperEvent(helper, event),
    ).catch((err: unknown) => {
      relay.close();
      if (this.relay === relay) this.relay = undefined;
      throw err;
    });
    if (this.released || this.relay !== relay) {
      helper.close();
      return;
    }
    this.helper = helper;
    helper.onExit = () => {
      if (this.helper === helper) this.closeHelper();
    };
  }

  private onHelperEvent(helper: GstHelper, event: HelperEvent): void {
    if (event.event === 'eos') {
      this.raise('EndOfStream');
      for (const out of this.outputs.values()) out.end();
      if (this.helper === helper) this.closeHelper();
    } else if (event.event === 'error') {
      this.raiseError('HTTP_POST_ERROR', `The upload could not be played: ${String(event.message)}`);
    }
  }

  private terminate(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.registration.unregister();
    if (this.sessionStarted) this.raise('MediaSessionTerminated');
  }

  /** Decoded and re-encoded while playing, unless the media goes on as it was uploaded. */
  protected override transcoding(): boolean {
    return this.helper !== undefined && !this.useEncodedMedia;
  }

  protected override onKeyframeRequested(): void {
    this.helper?.send({ cmd: 'keyframe' });
  }

  // Its media comes from HTTP, not from other elements.
  protected onInputPacket(_kind: MediaKind, _packet: RtpPacket, _source: RtpFanout): void {}

  private stopPlaying(): void {
    this.helper?.close();
    this.helper = undefined;
    this.relay?.close();
    this.relay = undefined;
  }

  private closeHelper(): void {
    this.stopPlaying();
    // An upload the helper stopped reading (it ended early, or died) is read to its end and
    // dropped, so the client gets its answer rather than waiting on a full socket forever.
    this.uploadBody?.unpipe();
    this.uploadBody?.resume();
  }

  protected override async dispose(): Promise<void> {
    clearTimeout(this.expiry);
    this.registration.unregister();
    this.upload?.destroy();
    this.upload = undefined;
    this.uploadBody = undefined;
    this.closeHelper();
    await super.dispose();
  }
}
