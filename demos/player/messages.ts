// /player: the official player tutorial's vocabulary. `videourl` is an http(s) URL, or
// `recording:<id>` for a recording in the media repository (never a path on the server).

import { Type, type Static } from '@sinclair/typebox';
import { IceCandidate, Sdp, type ErrorMessage } from '../../server/signaling/messages';

export const PlayerClientMessages = {
  start: Type.Object({ id: Type.Literal('start'), sdpOffer: Sdp, videourl: Type.String({ minLength: 1, maxLength: 2048 }) }),
  pause: Type.Object({ id: Type.Literal('pause') }),
  resume: Type.Object({ id: Type.Literal('resume') }),
  doSeek: Type.Object({ id: Type.Literal('doSeek'), position: Type.Integer({ minimum: 0 }) }),
  getPosition: Type.Object({ id: Type.Literal('getPosition') }),
  stop: Type.Object({ id: Type.Literal('stop') }),
  onIceCandidate: Type.Object({ id: Type.Literal('onIceCandidate'), candidate: IceCandidate }),
};

export type PlayerClientMessage = {
  [K in keyof typeof PlayerClientMessages]: Static<(typeof PlayerClientMessages)[K]>;
}[keyof typeof PlayerClientMessages];

export type PlayerServerMessage =
  | { id: 'startResponse'; sdpAnswer: string }
  | { id: 'videoInfo'; isSeekable: boolean; initSeekable: number; endSeekable: number; videoDuration: number }
  | { id: 'seek'; message: string }
  | { id: 'position'; position: number }
  | { id: 'playEnd' }
  | { id: 'iceCandidate'; candidate: IceCandidate }
  | ErrorMessage;
