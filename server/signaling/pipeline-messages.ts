// The live pipeline a page may ask to see beside its demo: the platform's own messages on
// every demo's signaling socket. A page opts in with `watchPipeline`, so the official
// tutorials' pages (which send no such thing) never receive a message they do not know.
// Imported by the server and by the browser kit, so it stays free of Node imports.

import { Type } from '@sinclair/typebox';

export type FlowMediaType = 'AUDIO' | 'VIDEO';

export interface PipelineElementView {
  id: string;
  /** KMS's class name, read from the object id (e.g. WebRtcEndpoint, FaceOverlayFilter). */
  type: string;
  /** Whether media flows in and out, per media type, as the MediaFlowIn/Out events last said. */
  flowIn: Partial<Record<FlowMediaType, boolean>>;
  flowOut: Partial<Record<FlowMediaType, boolean>>;
  /** Endpoints only (getStats): bits per second over the last interval, in kbit/s. */
  bitrate?: { inKbps: number; outKbps: number };
}

export interface PipelineConnectionView {
  source: string;
  sink: string;
  mediaType: 'AUDIO' | 'VIDEO' | 'DATA';
}

export interface PipelineSnapshot {
  id: string;
  /** Which media server holds it (credentials masked). */
  server: string;
  elements: PipelineElementView[];
  connections: PipelineConnectionView[];
}

export const PipelineClientMessages = {
  watchPipeline: Type.Object({ id: Type.Literal('watchPipeline'), watch: Type.Optional(Type.Boolean()) }),
};

/** Every pipeline this socket's sessions are in, whole, each time one of them changes. */
export interface PipelinesMessage {
  id: 'pipelines';
  pipelines: PipelineSnapshot[];
}
