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
import '../../../client/components/call-controls';
import type { MediaState } from '../../../server/signaling/messages';
import { inviteLink, roomFromUrl } from '../../../client/components/room-link';
import '../../../client/components/site-header';

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
    const others = c.tiles.length - 1;
    const status = c.joined
      ? `You are in room ${c.room} as ${c.name}, ${others === 0 ? 'alone so far: share the invite link' : `with ${others} other${others === 1 ? '' : 's'}`}.`
      : c.joining
        ? `Joining room ${c.room}…`
        : 'Choose a name and a room, then join.';
    const busy = c.joined || c.joining;
    const join = (): void => c.join(this.nameInput.value.trim(), this.roomInput.value.trim());
    const onEnter = (e: KeyboardEvent): void => {
      if (e.key === 'Enter' && !busy) join();
    };
    return html`
      <div class="row">
        <input id="name" aria-label="Your name" placeholder="Your name" ?disabled=${busy} @keydown=${onEnter} />
        <input id="room" aria-label="Room" placeholder="Room" .value=${roomFromUrl()} ?disabled=${busy} @keydown=${onEnter} />
        <button id="join" class="primary" @click=${join} ?disabled=${busy}>Join</button>
        <button id="leave" @click=${() => c.leave()} ?disabled=${!busy}>Leave</button>
      </div>
      <stage-call-controls
        .peer=${c.sendingPeer}
        @media-change=${(e: CustomEvent<MediaState>) => c.mediaChanged(e.detail)}
      ></stage-call-controls>
      <stage-status .state=${status} .error=${c.error}></stage-status>
      ${c.joined ? inviteLink(c.room) : ''}
      <div class="grid">
        ${c.tiles.map(
          (t) =>
            html`<stage-video-tile
              label=${t.self ? `${t.name} (you)` : t.name}
              video-id=${t.self ? 'local' : `remote-${t.name}`}
              ?muted=${t.self}
              .stats=${t.self ? c.stats.at(-1) : undefined}
              .audioOff=${c.media.get(t.name)?.audio === false}
              .videoOff=${c.media.get(t.name)?.video === false}
              .stream=${t.stream}
            ></stage-video-tile>`,
        )}
      </div>
      <stage-stats mode="send" .samples=${c.stats}></stage-stats>
      <stage-how-it-works .readme=${README}></stage-how-it-works>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'group-call-demo': GroupCallDemo;
  }
}
