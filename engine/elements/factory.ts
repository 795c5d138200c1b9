// Builds the object a `create` asks for, after its constructor parameters were checked
// against the kmd. A class that KMS has but this engine does not implement is refused in
// words, so an application learns it needs a real KMS rather than failing later.

import { KmsError } from '../protocol/errors';
import type { Params } from '../types/params';
import type { EngineContext, MediaObject } from './media-object';
import { ChromaFilter } from './filters/chroma-filter';
import { FaceOverlayFilter } from './filters/face-overlay-filter';
import { GStreamerFilter } from './filters/gstreamer-filter';
import { ImageOverlayFilter } from './filters/image-overlay-filter';
import { ZBarFilter } from './filters/zbar-filter';
import { AlphaBlending } from './hubs/alpha-blending';
import { Composite } from './hubs/composite';
import { Dispatcher, DispatcherOneToMany } from './hubs/dispatchers';
import type { Hub } from './hubs/hub';
import { HttpPostEndpoint } from './http-post-endpoint';
import { HubPort } from './hubs/hub-port';
import { Mixer } from './hubs/mixer';
import { MediaPipeline } from './media-pipeline';
import { PassThrough } from './pass-through';
import { PlayerEndpoint } from './player-endpoint';
import { RecorderEndpoint } from './recorder-endpoint';
import { RtpEndpoint } from './rtp-endpoint';
import { WebRtcEndpoint } from './webrtc-endpoint';
import { MediaElement } from './media-element';
import { VideoFormatStage } from './filters/video-format';

type Builder = (ctx: EngineContext, params: Params, resolve: Resolver) => MediaObject;
type Resolver = (id: unknown, expected: string) => MediaObject;

const pipelineOf = (params: Params, resolve: Resolver): MediaObject => resolve(params.mediaPipeline, 'MediaPipeline');

const BUILDERS: Record<string, Builder> = {
  MediaPipeline: (ctx) => new MediaPipeline(ctx),
  WebRtcEndpoint: (ctx, p, resolve) =>
    new WebRtcEndpoint(ctx, pipelineOf(p, resolve), {
      recvonly: p.recvonly as boolean | undefined,
      sendonly: p.sendonly as boolean | undefined,
      useDataChannels: p.useDataChannels as boolean | undefined,
    }),
  PassThrough: (ctx, p, resolve) => new PassThrough(ctx, pipelineOf(p, resolve)),
  Composite: (ctx, p, resolve) => new Composite(ctx, pipelineOf(p, resolve), p),
  AlphaBlending: (ctx, p, resolve) => new AlphaBlending(ctx, pipelineOf(p, resolve)),
  Mixer: (ctx, p, resolve) => new Mixer(ctx, pipelineOf(p, resolve)),
  Dispatcher: (ctx, p, resolve) => new Dispatcher(ctx, pipelineOf(p, resolve)),
  DispatcherOneToMany: (ctx, p, resolve) => new DispatcherOneToMany(ctx, pipelineOf(p, resolve)),
  HubPort: (ctx, p, resolve) => new HubPort(ctx, resolve(p.hub, 'Hub') as Hub),
  FaceOverlayFilter: (ctx, p, resolve) => new FaceOverlayFilter(ctx, pipelineOf(p, resolve)),
  ChromaFilter: (ctx, p, resolve) => new ChromaFilter(ctx, pipelineOf(p, resolve), p),
  GStreamerFilter: (ctx, p, resolve) => new GStreamerFilter(ctx, pipelineOf(p, resolve), p),
  ImageOverlayFilter: (ctx, p, resolve) => new ImageOverlayFilter(ctx, pipelineOf(p, resolve)),
  ZBarFilter: (ctx, p, resolve) => new ZBarFilter(ctx, pipelineOf(p, resolve)),
  HttpPostEndpoint: (ctx, p, resolve) => new HttpPostEndpoint(ctx, pipelineOf(p, resolve), p),
  PlayerEndpoint: (ctx, p, resolve) => new PlayerEndpoint(ctx, pipelineOf(p, resolve), p.uri as string),
  RtpEndpoint: (ctx, p, resolve) => new RtpEndpoint(ctx, pipelineOf(p, resolve), p),
  RecorderEndpoint: (ctx, p, resolve) =>
    new RecorderEndpoint(
      ctx,
      pipelineOf(p, resolve),
      p.uri as string,
      (p.mediaProfile as string | undefined) ?? 'WEBM',
      (p.stopOnEndOfStream as boolean | undefined) ?? false,
    ),
};

// NOTE: set here, where the filter classes are known, so media-element.ts needs no import of them.
MediaElement.formatStages = (owner, format) => new VideoFormatStage(owner.context, owner, format);

export function buildObject(ctx: EngineContext, type: string, params: Params, resolve: Resolver): MediaObject {
  const info = ctx.registry.getClass(type);
  if (!info) throw new KmsError('MEDIA_OBJECT_NOT_AVAILABLE', `Factory '${type}' not found`);
  if (info.abstract) {
    throw new KmsError('MEDIA_OBJECT_CONSTRUCTOR_NOT_FOUND', `Class '${type}' is abstract and cannot be created`);
  }
  const build = BUILDERS[info.name];
  if (!build) {
    throw new KmsError('NOT_IMPLEMENTED', `${info.name} is not supported by the embedded media server; use a real KMS for it`);
  }
  // NOTE: only an object whose constructor returned joins the pipeline (see MediaObject.attach).
  return build(ctx, params, resolve).attach();
}
