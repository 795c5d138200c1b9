// The player page: any http(s) URL, or a recording (the page opens with ?url=recording:<id>
// from the recordings list), played by the media server into this page, with pause,
// resume, a seek bar and the position.

import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { demoPageStyles } from '../../../client/components/page-styles';
import '../../../client/components/stats-panel';
import '../../../client/components/status-banner';
import '../../../client/components/video-tile';
import { PlayerController } from './controller';
import '../../../client/components/how-it-works';
import README from '../README.md';
import '../../../client/components/site-header';

const STATE_TEXT = {
  idle: 'Give a video URL (or pick a recording in the recordings page) and press Play.',
  starting: 'The media server is opening the video…',
  playing: 'Playing.',
  paused: 'Paused.',
} as const;

@customElement('player-demo')
export class PlayerDemo extends LitElement {
  static override styles = demoPageStyles;

  readonly call = new PlayerController(this);
  @state() private url = new URLSearchParams(location.search).get('url') ?? '';
  /** The media repository's newest recordings, to pick from instead of typing a URL. */
  @state() private recordings: { id: string; createdAt: string; durationMs: number; demo: string; participants: string[] }[] = [];
  private timer: number | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void fetch('/api/recordings?limit=20')
      .then(async (res) => (res.ok ? ((await res.json()) as { items: PlayerDemo['recordings'] }).items : []))
      .then((items) => (this.recordings = items))
      .catch(() => undefined);
    // The position, as the tutorial asks for it: a getPosition now and then while playing.
    this.timer = window.setInterval(() => this.call.state === 'playing' && this.call.askPosition(), 1000);
  }

  override disconnectedCallback(): void {
    window.clearInterval(this.timer);
    super.disconnectedCallback();
  }

  protected override render() {
    const c = this.call;
    const info = c.info;
    return html`
      <div class="row">
        <input
          id="url"
          class="wide"
          aria-label="Video URL"
          placeholder="https://… or recording:<id>"
          .value=${this.url}
          @input=${(e: Event) => (this.url = (e.target as HTMLInputElement).value)}
          ?disabled=${c.state !== 'idle'}
        />
        <button id="play" @click=${() => void c.start(this.url.trim())} ?disabled=${c.state !== 'idle' || !this.url.trim()}>
          Play
        </button>
        <button id="pause" @click=${() => c.pause()} ?disabled=${c.state !== 'playing'}>Pause</button>
        <button id="resume" @click=${() => c.resume()} ?disabled=${c.state !== 'paused'}>Resume</button>
        <button id="stop" @click=${() => c.stop()} ?disabled=${c.state === 'idle'}>Stop</button>
      </div>
      ${
        this.recordings.length
          ? html`<div class="row">
              <select
                id="recording"
                aria-label="Or pick a recording"
                ?disabled=${c.state !== 'idle'}
                @change=${(e: Event) => (this.url = (e.target as HTMLSelectElement).value)}
              >
                <option value="">…or pick a recording</option>
                ${this.recordings.map(
                  (r) =>
                    html`<option value="recording:${r.id}" ?selected=${this.url === `recording:${r.id}`}>
                      ${new Date(r.createdAt).toLocaleString()} · ${(r.durationMs / 1000).toFixed(0)} s ·
                      ${r.participants.join(', ') || r.demo}
                    </option>`,
                )}
              </select>
            </div>`
          : ''
      }
      <stage-status .state=${c.ended ? 'The video ended.' : STATE_TEXT[c.state]} .error=${c.error}></stage-status>
      ${c.notice ? html`<p>${c.notice}</p>` : ''}
      ${
        info
          ? html`<div class="row">
              <input
                id="seek"
                aria-label="Position"
                type="range"
                min=${info.initSeekable}
                max=${info.videoDuration}
                .value=${String(c.position)}
                ?disabled=${!info.isSeekable || c.state === 'idle'}
                @change=${(e: Event) => c.seek(Number((e.target as HTMLInputElement).value))}
              />
              <span id="position">${(c.position / 1000).toFixed(1)} s / ${(info.videoDuration / 1000).toFixed(1)} s</span>
              ${info.isSeekable ? '' : html`<span>(not seekable)</span>`}
            </div>`
          : ''
      }
      <div class="videos">
        <stage-video-tile
          label="From the media server"
          video-id="remote"
          .stats=${c.stats.at(-1)}
          .stream=${c.remoteStream}
        ></stage-video-tile>
      </div>
      <stage-stats .samples=${c.stats}></stage-stats>
      <stage-how-it-works .readme=${README}></stage-how-it-works>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'player-demo': PlayerDemo;
  }
}
