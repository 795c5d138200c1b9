// The filter demos' messages. /magicmirror speaks the official magic-mirror tutorial's
// vocabulary (start, onIceCandidate, stop; startResponse, iceCandidate, error) plus a choice
// of overlay; /chroma and /effects extend it the same way. A choice is an id from
// server/demos/filters/catalog.ts (or "none"), never a URI or a GStreamer command.

import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { IceCandidate, Sdp, type ErrorMessage } from './common';

const Choice = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' });
const common = {
  onIceCandidate: Type.Object({ id: Type.Literal('onIceCandidate'), candidate: IceCandidate }),
  stop: Type.Object({ id: Type.Literal('stop') }),
};

export const MagicMirrorClientMessages = {
  start: Type.Object({ id: Type.Literal('start'), sdpOffer: Sdp, overlay: Type.Optional(Choice) }),
  overlay: Type.Object({ id: Type.Literal('overlay'), overlay: Choice }),
  ...common,
};

export const ChromaClientMessages = {
  start: Type.Object({ id: Type.Literal('start'), sdpOffer: Sdp, background: Type.Optional(Choice) }),
  /** A point of the plain background, in the video's pixels: the key colour is read around it. */
  calibrate: Type.Object({
    id: Type.Literal('calibrate'),
    x: Type.Integer({ minimum: 0, maximum: 4096 }),
    y: Type.Integer({ minimum: 0, maximum: 4096 }),
  }),
  background: Type.Object({ id: Type.Literal('background'), background: Choice }),
  ...common,
};

export const EffectsClientMessages = {
  start: Type.Object({ id: Type.Literal('start'), sdpOffer: Sdp, effect: Type.Optional(Choice) }),
  effect: Type.Object({ id: Type.Literal('effect'), effect: Choice }),
  ...common,
};

type MessagesOf<T extends Record<string, TSchema>> = { [K in keyof T]: Static<T[K]> }[keyof T];

export type MagicMirrorClientMessage = MessagesOf<typeof MagicMirrorClientMessages>;
export type ChromaClientMessage = MessagesOf<typeof ChromaClientMessages>;
export type EffectsClientMessage = MessagesOf<typeof EffectsClientMessages>;

/** Every filter demo answers the same way; `applied` confirms a choice took effect. */
export type FilterServerMessage =
  | { id: 'startResponse'; sdpAnswer: string }
  | { id: 'iceCandidate'; candidate: IceCandidate }
  | { id: 'applied'; choice: string }
  | ErrorMessage;
