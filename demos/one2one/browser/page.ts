// The one-to-one call page: register a name, call a registered user or answer their call,
// see both cameras and the call's live stats, hang up.

import { LitElement, html } from 'lit';
import { customElement, query } from 'lit/decorators.js';
import { demoPageStyles } from '../../../client/components/page-styles';
import '../../../client/components/stats-panel';
import '../../../client/components/status-banner';
import '../../../client/components/video-tile';
import { One2OneController, type One2OneState } from './controller';
import '../../../client/components/how-it-works';
import README from '../README.md';
import '../../../client/components/call-controls';
import type { MediaState } from '../../../server/signaling/messages';
import '../../../client/components/rec-indicator';
import '../../../client/components/site-header';

/** What the user can do next, in each state; a notice (who calls, who hung up) comes first. */
const STATE_TEXT: Record<One2OneState, (name: string) => string> = {
  unregistered: () => 'Choose a name and register: others call you by it.',
  registering: (name) => `Registering as ${name}…`,
  registered: (name) => `Registered as ${name}. Call someone who is online, or wait for a call.`,
  calling: () => 'Calling…',
  incoming: () => 'Someone is calling you: accept or reject.',
  'in-call': () => 'In a call.',
};

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
    const register = (): void => c.register(this.nameInput.value.trim());
    const callPeer = (name = this.peerInput.value.trim()): void => void c.call(name, this.recordInput.checked);
    const onEnter = (action: () => void) => (e: KeyboardEvent) => {
      if (e.key === 'Enter') action();
    };
    const others = c.online.filter((n) => n !== c.name);
    return html`
      <div class="row">
        <input id="name" aria-label="Your name" placeholder="Your name" ?disabled=${registered} @keydown=${onEnter(register)} />
        <button id="register" class="primary" @click=${register} ?disabled=${c.state !== 'unregistered'}>Register</button>
      </div>
      <div class="row">
        <input
          id="peer"
          aria-label="Name to call"
          placeholder="Name to call"
          ?disabled=${c.state !== 'registered'}
          @keydown=${onEnter(() => callPeer())}
        />
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
      <stage-call-controls
        .peer=${c.sendingPeer}
        @media-change=${(e: CustomEvent<MediaState>) => c.mediaChanged(e.detail)}
      ></stage-call-controls>
      ${c.state === 'in-call' && c.recorded ? html`<p><stage-rec></stage-rec></p>` : ''}
      <stage-status .state=${c.notice || STATE_TEXT[c.state](c.name)} .error=${c.error}></stage-status>
      ${
        registered
          ? html`<div class="row" id="online">
              <span>Online:</span>
              ${
                others.length === 0
                  ? html`<span class="none">nobody else yet (open this page in another tab)</span>`
                  : others.map(
                      (n) =>
                        html`<button class="person" @click=${() => callPeer(n)} ?disabled=${c.state !== 'registered'}>
                          Call ${n}
                        </button>`,
                    )
              }
            </div>`
          : ''
      }
      <div class="videos">
        <stage-video-tile
          label=${c.name || 'You'}
          video-id="local"
          muted
          .stream=${c.localStream}
          .audioOff=${c.sendingPeer !== undefined && !c.sendingPeer.isEnabled('audio')}
          .videoOff=${c.sendingPeer !== undefined && !c.sendingPeer.isEnabled('video')}
        ></stage-video-tile>
        <stage-video-tile
          label=${c.peerName || 'Peer'}
          video-id="remote"
          .stats=${c.stats.at(-1)}
          .stream=${c.remoteStream}
          .audioOff=${c.peerMedia?.audio === false}
          .videoOff=${c.peerMedia?.video === false}
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
