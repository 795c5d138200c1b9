// /helloworld: the official Kurento hello-world tutorial's vocabulary (WebRTC loopback).

import { Type, type Static } from '@sinclair/typebox';
import { IceCandidate, Sdp, type ErrorMessage } from '../../server/signaling/messages';

export const HelloWorldClientMessages = {
  start: Type.Object({ id: Type.Literal('start'), sdpOffer: Sdp }),
  onIceCandidate: Type.Object({ id: Type.Literal('onIceCandidate'), candidate: IceCandidate }),
  stop: Type.Object({ id: Type.Literal('stop') }),
};

export type HelloWorldClientMessage = {
  [K in keyof typeof HelloWorldClientMessages]: Static<(typeof HelloWorldClientMessages)[K]>;
}[keyof typeof HelloWorldClientMessages];

export type HelloWorldServerMessage =
  { id: 'startResponse'; sdpAnswer: string } | { id: 'iceCandidate'; candidate: IceCandidate } | ErrorMessage;
