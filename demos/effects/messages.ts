// /effects: the filter demos' vocabulary (server/signaling/filter-messages.ts) with a choice of
// effect, named by its id in EFFECTS. The GStreamer command stays on the server's side of the
// id: a page can name an effect, never send a pipeline description.

import { Type } from '@sinclair/typebox';
import { Choice, filterCommonMessages, type MessagesOf } from '../../server/signaling/filter-messages';
import { Sdp } from '../../server/signaling/messages';

export interface EffectChoice {
  id: string;
  label: string;
  command: string;
}

export const EFFECTS: EffectChoice[] = [
  { id: 'grey', label: 'Black and white', command: 'videobalance saturation=0.0' },
  { id: 'mirror', label: 'Mirror', command: 'videoflip method=horizontal-flip' },
  { id: 'edges', label: 'Edges', command: 'edgetv' },
  { id: 'sepia', label: 'Sepia', command: 'coloreffects preset=sepia' },
  { id: 'aging', label: 'Old film', command: 'agingtv' },
  { id: 'vivid', label: 'Vivid', command: 'videobalance saturation=1.8 contrast=1.2' },
];

export const EffectsClientMessages = {
  start: Type.Object({ id: Type.Literal('start'), sdpOffer: Sdp, effect: Type.Optional(Choice) }),
  effect: Type.Object({ id: Type.Literal('effect'), effect: Choice }),
  ...filterCommonMessages,
};

export type EffectsClientMessage = MessagesOf<typeof EffectsClientMessages>;
