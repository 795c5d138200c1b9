// The one-to-many page: choose a room, then present your camera to it or watch it. The
// audience count and the stream's stats update live.

import { LitElement, css, html } from 'lit';
import { customElement, query } from 'lit/decorators.js';
import { demoPageStyles } from '../../../client/components/page-styles';
import '../../../client/components/stats-panel';
import '../../../client/components/status-banner';
import '../../../client/components/video-tile';
import { One2ManyController } from './controller';
import '../../../client/components/how-it-works';
import README from '../README.md';
import '../../../client/components/call-controls';
import { inviteLink, roomFromUrl } from '../../../client/components/room-link';
import '../../../client/components/site-header';
import type { MediaState } from '../../../server/signaling/messages';

@customElement('one2many-demo')
export class One2ManyDemo extends LitElement {
  static override styles = [
    demoPageStyles,
    css`
      stage-video-tile {
        display: block;
        max-width: 640px;
      }
    `,
  ];

  readonly call = new One2ManyController(this);
  @query('#room') private roomInput!: HTMLInputElement;

  protected override render() {
    const c = this.call;
    const idle = c.state === 'idle';
    const room = (): string => this.roomInput.value.trim();
    const status =
      c.state === 'presenting'
        ? `Presenting to ${c.viewers} viewer${c.viewers === 1 ? '' : 's'}`
        : c.state === 'viewing'
          ? `Watching, with ${c.viewers} viewer${c.viewers === 1 ? '' : 's'} in all`
          : c.notice || (c.state === 'starting' ? 'Connecting…' : 'Present your camera to a room, or watch one.');
    return html`
      <div class="row">
        <input
          id="room"
          aria-label="Room"
          placeholder="Room (default)"
          .value=${roomFromUrl()}
          ?disabled=${!idle}
          @keydown=${(e: KeyboardEvent) => {
            if (e.key === 'Enter' && idle) void c.start('viewer', room());
          }}
        />
        <button id="presenter" class="primary" @click=${() => void c.start('presenter', room())} ?disabled=${!idle}>
          Presenter
        </button>
        <button id="viewer" @click=${() => void c.start('viewer', room())} ?disabled=${!idle}>Viewer</button>
        <button id="stop" @click=${() => c.stop()} ?disabled=${idle}>Stop</button>
      </div>
      <stage-status .state=${status} .error=${c.error}></stage-status>
      ${c.state === 'presenting' ? inviteLink(c.room || 'default') : ''}
      ${
        c.state === 'presenting'
          ? html`<stage-call-controls
              .peer=${c.sendingPeer}
              @media-change=${(e: CustomEvent<MediaState>) => {
                c.mediaChanged(e.detail);
                this.requestUpdate();
              }}
            ></stage-call-controls>`
          : ''
      }
      ${
        c.state === 'presenting' || c.localStream
          ? html`<stage-video-tile
              label="Your camera"
              video-id="local"
              muted
              .stream=${c.localStream}
              .audioOff=${c.sendingPeer !== undefined && !c.sendingPeer.isEnabled('audio')}
              .videoOff=${c.sendingPeer !== undefined && !c.sendingPeer.isEnabled('video')}
            ></stage-video-tile>`
          : html`<stage-video-tile
              label="The presenter"
              video-id="remote"
              .stats=${c.stats.at(-1)}
              .stream=${c.remoteStream}
              .audioOff=${c.state === 'viewing' && !c.presenterMedia.audio}
              .videoOff=${c.state === 'viewing' && !c.presenterMedia.video}
            ></stage-video-tile>`
      }
      <stage-stats mode=${c.state === 'presenting' ? 'send' : 'receive'} .samples=${c.stats}></stage-stats>
      <stage-how-it-works .readme=${README}></stage-how-it-works>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'one2many-demo': One2ManyDemo;
  }
}
