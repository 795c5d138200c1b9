// The recordings page: the media repository, newest first, with a thumbnail, duration, size,
// date and source for each; it plays in the page (the file, straight from the REST API, so
// the browser seeks with range requests), or in the player demo through the media server,
// and offers download and delete.

import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import '../../../client/components/how-it-works';
import README from '../README.md';
import '../../../client/components/site-header';

interface Recording {
  id: string;
  profile: string;
  sizeBytes: number;
  durationMs: number;
  createdAt: string;
  demo: string;
  sessionId?: string;
  participants: string[];
  thumbnail?: string;
  missing: boolean;
}

const PAGE = 20;
const size = (n: number): string => (n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.ceil(n / 1e3)} kB`);

@customElement('recordings-page')
export class RecordingsPage extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font:
        14px system-ui,
        sans-serif;
    }
    table {
      border-collapse: collapse;
    }
    td {
      padding: 6px 10px;
      border-bottom: 1px solid #ddd;
      vertical-align: middle;
    }
    img {
      width: 160px;
      background: #222;
      display: block;
    }
    .none {
      width: 160px;
      height: 90px;
      background: #333;
      color: #bbb;
      display: grid;
      place-items: center;
    }
    .error {
      color: #b00020;
    }
    video {
      max-width: 640px;
      width: 100%;
      background: #000;
    }
  `;

  @state() private items: Recording[] = [];
  @state() private total = 0;
  @state() private offset = 0;
  @state() private error = '';
  @state() private playing: string | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.playing = location.hash.slice(1) || undefined;
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      const res = await fetch(`/api/recordings?limit=${PAGE}&offset=${this.offset}`);
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      const page = (await res.json()) as { items: Recording[]; total: number };
      this.items = page.items;
      this.total = page.total;
      this.error = '';
    } catch (err) {
      this.error = `Could not list the recordings: ${(err as Error).message}`;
    }
  }

  private async deleteRecording(r: Recording): Promise<void> {
    if (!confirm(`Delete the recording of ${new Date(r.createdAt).toLocaleString()}?`)) return;
    const res = await fetch(`/api/recordings/${r.id}`, { method: 'DELETE' });
    if (res.status === 401) {
      // The server wants its access token (API_TOKEN); the login page sets it once for this browser.
      location.assign(`/login?next=${encodeURIComponent(location.pathname)}`);
      return;
    }
    if (!res.ok) {
      this.error = `Delete failed: ${((await res.json()) as { message?: string }).message ?? res.status}`;
      return;
    }
    if (this.playing === r.id) this.playing = undefined;
    await this.load();
  }

  protected override render() {
    return html`
      ${this.error ? html`<p class="error">${this.error}</p>` : ''}
      ${
        this.playing
          ? html`<p><video id="playback" controls autoplay src="/api/recordings/${this.playing}/media"></video></p>`
          : ''
      }
      <p>${this.total} recording(s). Make one in the <a href="/recording.html">recording demo</a>.</p>
      <table>
        ${this.items.map(
          (r) =>
            html`<tr data-id=${r.id}>
              <td>
                ${r.thumbnail ? html`<img alt="" src="/api/recordings/${r.id}/thumbnail" />` : html`<div class="none">${r.profile.includes('AUDIO') ? 'audio' : 'no preview'}</div>`}
              </td>
              <td>
                ${new Date(r.createdAt).toLocaleString()}<br />
                ${(r.durationMs / 1000).toFixed(1)} s · ${size(r.sizeBytes)} · ${r.profile}<br />
                from ${r.demo}${r.participants.length ? html` (${r.participants.join(', ')})` : ''}
                ${r.missing ? html`<br /><span class="error">the file is missing</span>` : ''}
              </td>
              <td>
                <button ?disabled=${r.missing} @click=${() => (this.playing = r.id)}>Play here</button>
                <a href="/player.html?url=recording:${r.id}">Play through the media server</a> ·
                <a href="/api/recordings/${r.id}/media?download=true" download>Download</a>
                <button class="delete" @click=${() => void this.deleteRecording(r)}>Delete</button>
              </td>
            </tr>`,
        )}
      </table>
      <p>
        <button
          ?disabled=${this.offset === 0}
          @click=${() => {
            this.offset = Math.max(0, this.offset - PAGE);
            void this.load();
          }}
        >
          Newer
        </button>
        <button
          ?disabled=${this.offset + PAGE >= this.total}
          @click=${() => {
            this.offset += PAGE;
            void this.load();
          }}
        >
          Older
        </button>
      </p>
      <stage-how-it-works
        .readme=${README}
        emptyText="This page builds no pipeline: it reads the media repository's REST API."
      ></stage-how-it-works>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'recordings-page': RecordingsPage;
  }
}
