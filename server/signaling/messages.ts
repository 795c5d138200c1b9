// Message pieces every demo shares. These schemas are imported by the server (to validate)
// and by the browser code (for types), so they must stay free of Node imports.

import { Type, type Static } from '@sinclair/typebox';

/** An SDP is a few KiB; the cap keeps a hostile client from parking megabytes per message. */
export const Sdp = Type.String({ minLength: 1, maxLength: 65_536 });

export const IceCandidate = Type.Object({
  candidate: Type.String({ maxLength: 1024 }),
  sdpMid: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  sdpMLineIndex: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: 64 }), Type.Null()])),
});
export type IceCandidate = Static<typeof IceCandidate>;

/** What a participant sends now: microphone and camera on (true) or off. */
export const MediaState = Type.Object({ audio: Type.Boolean(), video: Type.Boolean() });
export type MediaState = Static<typeof MediaState>;

export interface ErrorMessage {
  id: 'error';
  message: string;
  code?: number;
  reason?: string;
}
