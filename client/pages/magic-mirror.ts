// The magic mirror: your face comes back from the media server wearing a hat. The
// FaceOverlayFilter finds each face and draws the chosen overlay on it; "None" takes it off.

import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { NONE, OVERLAYS } from '../../server/demos/filters/catalog';
import type { MagicMirrorClientMessage } from '../../server/signaling/protocol/filters';
import '../components/choice-list';
import { demoPageStyles } from '../components/page-styles';
import '../components/stats-panel';
import '../components/status-banner';
import '../components/video-tile';
import { LoopbackController } from '../controllers/hello-world';

const CHOICES = [...OVERLAYS.map((o) => ({ id: o.id, label: o.label, image: `/assets/${o.file}` })), { id: NONE, label: 'None' }];

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

  private choose(overlay: string): void {
    this.overlay = overlay;
    this.call.send({ id: 'overlay', overlay });
  }

  protected override render() {
    const c = this.call;
    return html`
      <div class="row">
        <button id="start" @click=${() => void c.start({ overlay: this.overlay })} ?disabled=${c.state !== 'idle'}>Start</button>
        <button id="stop" @click=${() => c.stop()} ?disabled=${c.state === 'idle'}>Stop</button>
      </div>
      <stage-choice-list
        name="overlay"
        .choices=${CHOICES}
        selected=${this.overlay}
        @choose=${(e: CustomEvent<string>) => this.choose(e.detail)}
      ></stage-choice-list>
      <stage-status .state=${`${STATE_TEXT[c.state]} (connection: ${c.connection})`} .error=${c.error}></stage-status>
      <div class="videos">
        <stage-video-tile label="Local camera" video-id="local" muted .stream=${c.localStream}></stage-video-tile>
        <stage-video-tile
          label="Through the FaceOverlayFilter"
          video-id="remote"
          .stats=${c.stats.at(-1)}
          muted
          .stream=${c.remoteStream}
        ></stage-video-tile>
      </div>
      <stage-stats .samples=${c.stats}></stage-stats>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'magic-mirror-demo': MagicMirrorDemo;
  }
}
