// The group-call page: join a room under a name, see every participant in a grid with their
// names, mute or unmute your own audio and video, leave.

import { LitElement, css, html } from 'lit';
import { customElement, query } from 'lit/decorators.js';
import { demoPageStyles } from '../../../client/components/page-styles';
import '../../../client/components/stats-panel';
import '../../../client/components/status-banner';
import '../../../client/components/video-tile';
import { GroupCallController } from './controller';
import '../../../client/components/how-it-works';
import README from '../README.md';

@customElement('group-call-demo')
export class GroupCallDemo extends LitElement {
  static override styles = [
    demoPageStyles,
    css`
      :host {
        max-width: 1100px;
      }
      .grid {
        display: grid;
        grid-template-columns: repeat(auto-fill, minmax(320px, 1fr));
        gap: 12px;
        margin: 12px 0;
      }
    `,
  ];

  readonly call = new GroupCallController(this);
  @query('#name') private nameInput!: HTMLInputElement;
  @query('#room') private roomInput!: HTMLInputElement;

  protected override render() {
    const c = this.call;
    const status = c.joined
      ? `In room ${c.room} as ${c.name}, with ${c.tiles.length - 1} other${c.tiles.length === 2 ? '' : 's'}`
      : 'Choose a name and a room, then join.';
    return html`
      <div class="row">
        <input id="name" placeholder="Your name" ?disabled=${c.joined} />
        <input id="room" placeholder="Room" ?disabled=${c.joined} />
        <button id="join" @click=${() => c.join(this.nameInput.value.trim(), this.roomInput.value.trim())} ?disabled=${c.joined}>
          Join
        </button>
        <button id="mute-audio" @click=${() => c.toggleAudio()} ?disabled=${!c.joined}>
          ${c.audioMuted ? 'Unmute' : 'Mute'} audio
        </button>
        <button id="mute-video" @click=${() => c.toggleVideo()} ?disabled=${!c.joined}>
          ${c.videoMuted ? 'Show' : 'Hide'} video
        </button>
        <button id="leave" @click=${() => c.leave()} ?disabled=${!c.joined}>Leave</button>
      </div>
      <stage-status .state=${status} .error=${c.error}></stage-status>
      <div class="grid">
        ${c.tiles.map(
          (t) =>
            html`<stage-video-tile
              label=${t.self ? `${t.name} (you)` : t.name}
              video-id=${t.self ? 'local' : `remote-${t.name}`}
              ?muted=${t.self}
              .stats=${t.self ? c.stats.at(-1) : undefined}
              .stream=${t.stream}
            ></stage-video-tile>`,
        )}
      </div>
      <stage-stats .samples=${c.stats}></stage-stats>
      <stage-how-it-works .readme=${README}></stage-how-it-works>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'group-call-demo': GroupCallDemo;
  }
}
