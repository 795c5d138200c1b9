// /one2many: the official one-to-many (broadcast) tutorial's vocabulary, plus an optional
// `room` so that several broadcasts can run at once, `viewerCount` so pages can show the
// audience live, and `mediaState` so viewers see when the presenter's microphone or camera is
// off. Tutorial pages send no room and share the default one.

import { Type, type Static } from '@sinclair/typebox';
import { IceCandidate, MediaState, Sdp, type ErrorMessage } from '../../server/signaling/messages';

export const DEFAULT_ROOM = 'default';
const Room = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' });

export const One2ManyClientMessages = {
  /** `countViewers` (ours) asks for viewerCount messages; the tutorial's page does not know them. */
  presenter: Type.Object({
    id: Type.Literal('presenter'),
    sdpOffer: Sdp,
    room: Type.Optional(Room),
    countViewers: Type.Optional(Type.Boolean()),
  }),
  viewer: Type.Object({
    id: Type.Literal('viewer'),
    sdpOffer: Sdp,
    room: Type.Optional(Room),
    countViewers: Type.Optional(Type.Boolean()),
  }),
  onIceCandidate: Type.Object({ id: Type.Literal('onIceCandidate'), candidate: IceCandidate }),
  stop: Type.Object({ id: Type.Literal('stop') }),
  /** Ours: the presenter's microphone and camera, on or off; viewers' pages mark the picture. */
  mediaState: Type.Object({ id: Type.Literal('mediaState'), media: MediaState }),
};

export type One2ManyClientMessage = {
  [K in keyof typeof One2ManyClientMessages]: Static<(typeof One2ManyClientMessages)[K]>;
}[keyof typeof One2ManyClientMessages];

type Response<Id extends string> =
  { id: Id; response: 'accepted'; sdpAnswer: string } | { id: Id; response: 'rejected'; message: string };

export type One2ManyServerMessage =
  | Response<'presenterResponse'>
  | Response<'viewerResponse'>
  | { id: 'stopCommunication'; reason?: string }
  | { id: 'viewerCount'; room: string; count: number }
  | { id: 'presenterMediaState'; media: MediaState }
  | { id: 'iceCandidate'; candidate: IceCandidate }
  | ErrorMessage;
