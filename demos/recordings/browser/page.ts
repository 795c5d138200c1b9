// The recordings page: the media repository, newest first, with a thumbnail, duration, size,
// date and source for each; it plays in the page (the file, straight from the REST API, so
// the browser seeks with range requests), or in the player demo through the media server,
// and offers download and delete.

import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import '../../../client/components/how-it-works';
import { demoPageStyles } from '../../../client/components/page-styles';
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

/** The recordings of one call (a recorded one-to-one call has one file per side) together. */
function groups(items: Recording[]): Recording[][] {
  const bySession = new Map<string, Recording[]>();
  const out: Recording[][] = [];
  for (const r of items) {
    if (!r.sessionId) {
      out.push([r]);
      continue;
    }
    const group = bySession.get(r.sessionId);
    if (group) group.push(r);
    else {
      const fresh = [r];
      bySession.set(r.sessionId, fresh);
      out.push(fresh);
    }
  }
  return out;
}

function callTitle(group: Recording[]): string {
  const people = [...new Set(group.flatMap((r) => r.participants))];
  const kind = group[0]!.demo === 'one2one' ? 'One-to-one call' : `From ${group[0]!.demo}`;
  return `${kind}${people.length ? ` between ${people.join(' and ')}` : ''}, ${new Date(group[0]!.createdAt).toLocaleString()}`;
}
const size = (n: number): string => (n > 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.ceil(n / 1e3)} kB`);

@customElement('recordings-page')
export class RecordingsPage extends LitElement {
  static override styles = [
    demoPageStyles,
    css`
      .entry {
        background: var(--stage-surface, #fff);
        border: 1px solid var(--stage-border, #cfd6df);
        border-radius: 10px;
        padding: 10px 12px;
        margin: 10px 0;
      }
      .entry h2 {
        font-size: 15px;
        margin: 0 0 8px;
      }
      .file {
        display: flex;
        flex-wrap: wrap;
        gap: 10px 16px;
        align-items: center;
        padding: 6px 0;
      }
      .file + .file {
        border-top: 1px solid var(--stage-border, #cfd6df);
      }
      .about {
        flex: 1 1 220px;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: center;
      }
      img,
      .none {
        width: 160px;
        aspect-ratio: 4 / 3;
        border-radius: 6px;
        background: #222;
        display: block;
        object-fit: cover;
      }
      .none {
        color: #c8ced6;
        display: grid;
        place-items: center;
      }
      .error {
        color: var(--stage-danger, #a4161a);
      }
      video {
        max-width: 640px;
        width: 100%;
        background: #000;
        border-radius: 8px;
      }
    `,
  ];

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

  private file(r: Recording, who: string) {
    return html`<div class="file" data-id=${r.id}>
      ${
        r.thumbnail
          ? html`<img alt="" src="/api/recordings/${r.id}/thumbnail" />`
          : html`<div class="none">${r.profile.includes('AUDIO') ? 'audio' : 'no preview'}</div>`
      }
      <div class="about">
        <strong>${who}</strong><br />
        ${new Date(r.createdAt).toLocaleString()}<br />
        ${(r.durationMs / 1000).toFixed(1)} s · ${size(r.sizeBytes)} · ${r.profile}
        ${r.missing ? html`<br /><span class="error">the file is missing</span>` : ''}
      </div>
      <div class="actions">
        <button ?disabled=${r.missing} @click=${() => (this.playing = r.id)}>Play here</button>
        <a href="/player.html?url=recording:${r.id}">Play through the media server</a>
        <a href="/api/recordings/${r.id}/media?download=true" download>Download</a>
        <button class="delete" @click=${() => void this.deleteRecording(r)}>Delete</button>
      </div>
    </div>`;
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
      ${groups(this.items).map((g) =>
        g.length > 1 || g[0]!.sessionId
          ? html`<section class="entry call" data-session=${g[0]!.sessionId ?? ''}>
              <h2>${callTitle(g)}</h2>
              ${g.map((r) => this.file(r, r.participants.join(', ') || r.demo))}
            </section>`
          : html`<section class="entry">${this.file(g[0]!, `From ${g[0]!.demo}`)}</section>`,
      )}
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
