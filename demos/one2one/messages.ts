// /one2one: the official Kurento one-to-one call tutorial's vocabulary. Names are checked by
// the server (not the schema), so that a bad name gets the tutorial's registerResponse in
// words rather than a generic error.

import { Type, type Static } from '@sinclair/typebox';
import { MediaState, IceCandidate, Sdp, type ErrorMessage } from '../../server/signaling/messages';

/** 1–64 letters, digits, `.`, `_` and `-`. */
export const USER_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const Name = Type.String({ maxLength: 256 });

export const One2OneClientMessages = {
  register: Type.Object({ id: Type.Literal('register'), name: Name }),
  call: Type.Object({
    id: Type.Literal('call'),
    from: Type.Optional(Name),
    to: Name,
    sdpOffer: Sdp,
    /** Record both sides (as the one2one-call-recording tutorial does). */
    record: Type.Optional(Type.Boolean()),
  }),
  incomingCallResponse: Type.Object({
    id: Type.Literal('incomingCallResponse'),
    from: Name,
    callResponse: Type.Union([Type.Literal('accept'), Type.Literal('reject')]),
    sdpOffer: Type.Optional(Sdp),
    message: Type.Optional(Type.String({ maxLength: 256 })),
  }),
  onIceCandidate: Type.Object({ id: Type.Literal('onIceCandidate'), candidate: IceCandidate }),
  stop: Type.Object({ id: Type.Literal('stop') }),
  /** Ours, not the tutorial's: send me who is online now and whenever it changes. */
  listUsers: Type.Object({ id: Type.Literal('listUsers') }),
  /** Ours: my microphone and camera are now on or off; the other side's page shows it. */
  mediaState: Type.Object({ id: Type.Literal('mediaState'), media: MediaState }),
};

export type One2OneClientMessage = {
  [K in keyof typeof One2OneClientMessages]: Static<(typeof One2OneClientMessages)[K]>;
}[keyof typeof One2OneClientMessages];

export type One2OneServerMessage =
  | { id: 'registerResponse'; response: 'accepted' }
  | { id: 'registerResponse'; response: 'rejected'; message: string }
  | { id: 'callResponse'; response: 'accepted'; sdpAnswer: string }
  | { id: 'callResponse'; response: 'rejected'; message: string }
  | { id: 'incomingCall'; from: string; record?: boolean }
  | { id: 'startCommunication'; sdpAnswer: string }
  | { id: 'stopCommunication'; reason?: string }
  | { id: 'iceCandidate'; candidate: IceCandidate }
  | { id: 'onlineUsers'; names: string[] }
  | { id: 'peerMediaState'; media: MediaState }
  | ErrorMessage;
