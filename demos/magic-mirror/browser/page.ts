// The magic mirror: your face comes back from the media server wearing a hat. The
// FaceOverlayFilter finds each face and draws the chosen overlay on it; "None" takes it off.

import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { OVERLAYS } from '../messages';
import type { MagicMirrorClientMessage } from '../messages';
import { withNone } from '../../../client/components/choice-list';
import { demoPageStyles } from '../../../client/components/page-styles';
import { loopbackView } from '../../../client/components/loopback-view';
import { LoopbackController } from '../../../client/controllers/loopback';
import { FaceSeen } from './face-seen';
import '../../../client/components/how-it-works';
import README from '../README.md';
import '../../../client/components/site-header';

const CHOICES = withNone(OVERLAYS.map((o) => ({ id: o.id, label: o.label, image: `/assets/${o.file}` })));

const STATE_TEXT = {
  idle: 'Press Start, face the camera, and pick a hat.',
  starting: 'Connecting to the media server…',
  connected: 'Connected: the media server finds your face and draws the overlay on it.',
  stopping: 'Stopping…',
} as const;

@customElement('magic-mirror-demo')
export class MagicMirrorDemo extends LitElement {
  static override styles = demoPageStyles;

  private readonly call = new LoopbackController<MagicMirrorClientMessage>(this, '/magicmirror');
  @state() private overlay = OVERLAYS[0]!.id;
  private readonly face = new FaceSeen(this, this.call, () => OVERLAYS.find((o) => o.id === this.overlay)?.mark);

  private choose(overlay: string): void {
    this.overlay = overlay;
    this.face.restart();
    this.call.send({ id: 'overlay', overlay });
  }

  /** What the filter found, as the page sees it (face-seen.ts). */
  private faceNote() {
    const { found, added } = this.face;
    const text =
      found === false
        ? 'No face found: the filter draws the overlay only on a face it sees. Face the camera, in good light.'
        : found
          ? 'Face found.'
          : '';
    return html`<span id="face" role="status" data-found=${String(found)} data-added=${added?.toFixed(4) ?? ''}>${text}</span>`;
  }

  protected override render() {
    const view = loopbackView(this.call, {
      stateText: STATE_TEXT,
      remoteLabel: 'Through the FaceOverlayFilter',
      beside: this.faceNote(),
      start: () => void this.call.start({ overlay: this.overlay }),
      controls: html`<stage-choice-list
        name="overlay"
        .choices=${CHOICES}
        selected=${this.overlay}
        @choose=${(e: CustomEvent<string>) => this.choose(e.detail)}
      ></stage-choice-list>`,
    });
    return html`${view}<stage-how-it-works .readme=${README}></stage-how-it-works>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'magic-mirror-demo': MagicMirrorDemo;
  }
}
