// /groupcall: the official Java group-call tutorial's vocabulary (an SFU room). Each
// participant publishes with `receiveVideoFrom` naming themselves, and subscribes to each
// other participant with `receiveVideoFrom` naming them. Candidates carry the name of the
// stream they belong to.

import { Type, type Static } from '@sinclair/typebox';
import { MediaState, IceCandidate, Sdp, type ErrorMessage } from '../../server/signaling/messages';

/** A participant's or a room's name: 1–64 letters, digits, spaces, `.`, `_` and `-`. */
export const NAME_PATTERN = '^[A-Za-z0-9._ -]{1,64}$';
const Name = Type.String({ minLength: 1, maxLength: 64, pattern: NAME_PATTERN });

export const GroupCallClientMessages = {
  joinRoom: Type.Object({ id: Type.Literal('joinRoom'), name: Name, room: Name }),
  receiveVideoFrom: Type.Object({ id: Type.Literal('receiveVideoFrom'), sender: Name, sdpOffer: Sdp }),
  onIceCandidate: Type.Object({ id: Type.Literal('onIceCandidate'), name: Name, candidate: IceCandidate }),
  leaveRoom: Type.Object({ id: Type.Literal('leaveRoom') }),
  /** Ours: my microphone and camera are now on or off; the others' pages show it. */
  mediaState: Type.Object({ id: Type.Literal('mediaState'), media: MediaState }),
};

export type GroupCallClientMessage = {
  [K in keyof typeof GroupCallClientMessages]: Static<(typeof GroupCallClientMessages)[K]>;
}[keyof typeof GroupCallClientMessages];

export type GroupCallServerMessage =
  | { id: 'existingParticipants'; data: string[] }
  | { id: 'newParticipantArrived'; name: string }
  | { id: 'participantLeft'; name: string }
  | { id: 'receiveVideoAnswer'; name: string; sdpAnswer: string }
  | { id: 'iceCandidate'; name: string; candidate: IceCandidate }
  | { id: 'participantMediaState'; name: string; media: MediaState }
  | ErrorMessage;
