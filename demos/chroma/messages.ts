// /chroma: the filter demos' vocabulary (server/signaling/filter-messages.ts) with a choice of
// background, named by its id in BACKGROUNDS, and a calibration point.

import { Type } from '@sinclair/typebox';
import { Choice, filterCommonMessages, type MessagesOf } from '../../server/signaling/filter-messages';
import { Sdp } from '../../server/signaling/messages';

export interface BackgroundChoice {
  id: string;
  label: string;
  /** Under client/assets/. */
  file: string;
  credit: string;
}

export const BACKGROUNDS: BackgroundChoice[] = [
  {
    id: 'hubble',
    label: 'Hubble deep field',
    file: 'backgrounds/hubble_deep_field.jpg',
    credit: 'Hubble deep field: NASA, public domain (sample data of scikit-image).',
  },
  { id: 'sunset', label: 'Sunset', file: 'backgrounds/sunset.png', credit: 'Sunset: drawn for Kurento Stage.' },
];

export const ChromaClientMessages = {
  start: Type.Object({ id: Type.Literal('start'), sdpOffer: Sdp, background: Type.Optional(Choice) }),
  /** A point of the plain background, in the video's pixels: the key colour is read around it. */
  calibrate: Type.Object({
    id: Type.Literal('calibrate'),
    x: Type.Integer({ minimum: 0, maximum: 4096 }),
    y: Type.Integer({ minimum: 0, maximum: 4096 }),
  }),
  background: Type.Object({ id: Type.Literal('background'), background: Choice }),
  ...filterCommonMessages,
};

export type ChromaClientMessage = MessagesOf<typeof ChromaClientMessages>;
