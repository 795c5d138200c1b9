// What every filter demo (magic mirror, chroma, effects) says: the official magic-mirror
// tutorial's vocabulary (start, onIceCandidate, stop; startResponse, iceCandidate, error),
// plus a choice that each demo names from its own catalog (or "none"), never a URI or a
// GStreamer command. Imported by the server (to validate) and by the demos' pages (for types),
// so it stays free of Node imports.

import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { IceCandidate, type ErrorMessage } from './messages';

/** "none" in every chooser: the video passes unchanged. */
export const NONE = 'none';

/** A catalog entry's id, as a page may send it. */
export const Choice = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9-]+$' });

export const filterCommonMessages = {
  onIceCandidate: Type.Object({ id: Type.Literal('onIceCandidate'), candidate: IceCandidate }),
  stop: Type.Object({ id: Type.Literal('stop') }),
};

export type MessagesOf<T extends Record<string, TSchema>> = { [K in keyof T]: Static<T[K]> }[keyof T];

/** Every filter demo answers the same way; `applied` confirms a choice took effect. */
export type FilterServerMessage =
  | { id: 'startResponse'; sdpAnswer: string }
  | { id: 'iceCandidate'; candidate: IceCandidate }
  | { id: 'applied'; choice: string }
  | ErrorMessage;
