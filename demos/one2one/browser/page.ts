// The one-to-one call page: register a name, call a registered user or answer their call,
// see both cameras and the call's live stats, hang up.

import { LitElement, html } from 'lit';
import { customElement, query } from 'lit/decorators.js';
import { demoPageStyles } from '../../../client/components/page-styles';
import '../../../client/components/stats-panel';
import '../../../client/components/status-banner';
import '../../../client/components/video-tile';
import { One2OneController } from './controller';
import '../../../client/components/how-it-works';
import README from '../README.md';
import '../../../client/components/site-header';

@customElement('one2one-demo')
export class One2OneDemo extends LitElement {
  static override styles = demoPageStyles;

  readonly call = new One2OneController(this);
  @query('#name') private nameInput!: HTMLInputElement;
  @query('#peer') private peerInput!: HTMLInputElement;
  @query('#record') private recordInput!: HTMLInputElement;

  protected override render() {
    const c = this.call;
    const registered = c.state !== 'unregistered' && c.state !== 'registering';
    return html`
      <div class="row">
        <input id="name" aria-label="Your name" placeholder="Your name" ?disabled=${registered} />
        <button id="register" @click=${() => c.register(this.nameInput.value.trim())} ?disabled=${c.state !== 'unregistered'}>
          Register
        </button>
      </div>
      <div class="row">
        <input id="peer" aria-label="Name to call" placeholder="Name to call" ?disabled=${c.state !== 'registered'} />
        <label><input id="record" type="checkbox" ?disabled=${c.state !== 'registered'} /> Record the call</label>
        <button
          id="call"
          @click=${() => void c.call(this.peerInput.value.trim(), this.recordInput.checked)}
          ?disabled=${c.state !== 'registered'}
        >
          Call
        </button>
        <button id="accept" @click=${() => void c.accept()} ?hidden=${c.state !== 'incoming'}>Accept ${c.peerName}</button>
        <button id="reject" @click=${() => c.reject()} ?hidden=${c.state !== 'incoming'}>Reject</button>
        <button id="stop" @click=${() => c.stop()} ?disabled=${c.state !== 'in-call' && c.state !== 'calling'}>Hang up</button>
      </div>
      <stage-status .state=${c.notice || `State: ${c.state}`} .error=${c.error}></stage-status>
      <div class="videos">
        <stage-video-tile label=${c.name || 'You'} video-id="local" muted .stream=${c.localStream}></stage-video-tile>
        <stage-video-tile
          label=${c.peerName || 'Peer'}
          video-id="remote"
          .stats=${c.stats.at(-1)}
          .stream=${c.remoteStream}
        ></stage-video-tile>
      </div>
      <stage-stats mode="both" .samples=${c.stats}></stage-stats>
      <stage-how-it-works .readme=${README}></stage-how-it-works>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'one2one-demo': One2OneDemo;
  }
}
