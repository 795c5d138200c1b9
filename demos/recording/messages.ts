// /recording: the official hello-world-recording tutorial's vocabulary. `start` records the
// camera (looped back to the page too); `stop` finishes the file; `play` plays it back.
// Additions: `stopped` carries the recording's id, `play` may name any recording, and
// `pause`/`resume` pause the recorder.

import { Type, type Static } from '@sinclair/typebox';
import { IceCandidate, Sdp, type ErrorMessage } from '../../server/signaling/messages';

const RecordingId = Type.String({ pattern: '^[0-9a-f-]{36}$' });

export const RecordingClientMessages = {
  start: Type.Object({ id: Type.Literal('start'), sdpOffer: Sdp, mode: Type.Optional(Type.String({ maxLength: 32 })) }),
  stop: Type.Object({ id: Type.Literal('stop') }),
  pause: Type.Object({ id: Type.Literal('pause') }),
  resume: Type.Object({ id: Type.Literal('resume') }),
  play: Type.Object({ id: Type.Literal('play'), sdpOffer: Sdp, recordingId: Type.Optional(RecordingId) }),
  stopPlay: Type.Object({ id: Type.Literal('stopPlay') }),
  onIceCandidate: Type.Object({ id: Type.Literal('onIceCandidate'), candidate: IceCandidate }),
};

export type RecordingClientMessage = {
  [K in keyof typeof RecordingClientMessages]: Static<(typeof RecordingClientMessages)[K]>;
}[keyof typeof RecordingClientMessages];

export type RecordingServerMessage =
  | { id: 'startResponse'; sdpAnswer: string }
  | { id: 'playResponse'; sdpAnswer: string }
  | { id: 'recording' }
  | { id: 'paused' }
  | { id: 'stopped'; recordingId?: string }
  | { id: 'playEnd' }
  | { id: 'iceCandidate'; candidate: IceCandidate }
  | ErrorMessage;
