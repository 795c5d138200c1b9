// /magicmirror: the filter demos' vocabulary (server/signaling/filter-messages.ts) with a
// choice of overlay, named by its id in OVERLAYS. The server turns the id into an image the
// media server reads; the page draws the chooser from the same list.

import { Type } from '@sinclair/typebox';
import { Choice, filterCommonMessages, type MessagesOf } from '../../server/signaling/filter-messages';
import { Sdp } from '../../server/signaling/messages';

export interface OverlayChoice {
  id: string;
  label: string;
  /** Under client/assets/. */
  file: string;
  /** setOverlayedImage's offsetX, offsetY, width, height: fractions of the face box. */
  place: [number, number, number, number];
  /** A colour of the image (RGB), which the page looks for in what comes back (face-seen.ts). */
  mark: [number, number, number];
}

export const OVERLAYS: OverlayChoice[] = [
  // The marks: the top hat's red band, the party hat's blue cone, the crown's gold.
  {
    id: 'top-hat',
    label: 'Top hat',
    file: 'overlays/top-hat.png',
    place: [-0.35, -1.05, 1.7, 1.4],
    mark: [0xc0, 0x28, 0x3a],
  },
  {
    id: 'party-hat',
    label: 'Party hat',
    file: 'overlays/party-hat.png',
    place: [0.1, -1.25, 0.8, 1.2],
    mark: [0x2a, 0x7d, 0xe1],
  },
  { id: 'crown', label: 'Crown', file: 'overlays/crown.png', place: [-0.1, -0.75, 1.2, 0.8], mark: [0xf2, 0xb7, 0x05] },
];

export const MagicMirrorClientMessages = {
  start: Type.Object({ id: Type.Literal('start'), sdpOffer: Sdp, overlay: Type.Optional(Choice) }),
  overlay: Type.Object({ id: Type.Literal('overlay'), overlay: Choice }),
  ...filterCommonMessages,
};

export type MagicMirrorClientMessage = MessagesOf<typeof MagicMirrorClientMessages>;
