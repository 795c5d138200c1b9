// The index page: every demo, and whether the media server is reachable right now.

import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';

interface Status {
  mediaServer: { ready: boolean; embedded: boolean; servers: { url: string; state: string }[] };
}

const DEMOS = [
  {
    path: '/helloworld.html',
    title: 'Hello world',
    text: 'WebRTC loopback: your camera comes back to you through the media server.',
  },
  {
    path: '/one2one.html',
    title: 'One-to-one call',
    text: 'Register a name, call someone registered (open a second tab), accept or reject, hang up.',
  },
  {
    path: '/one2many.html',
    title: 'One-to-many broadcast',
    text: 'One presenter per room, any number of viewers, the audience counted live.',
  },
  {
    path: '/groupcall.html',
    title: 'Group call (SFU)',
    text: 'Rooms where everyone sees everyone: one outgoing stream each, forwarded to every other participant.',
  },
  {
    path: '/recording.html',
    title: 'Recording',
    text: 'Record your camera into the media repository (audio and video, or one of them), pause, stop, play it back.',
  },
  {
    path: '/player.html',
    title: 'Player',
    text: 'The media server plays any http(s) video, or a recording, into your browser; pause, seek, position.',
  },
  {
    path: '/magicmirror.html',
    title: 'Magic mirror',
    text: 'A FaceOverlayFilter finds your face and puts a hat on it; choose the hat, or none.',
  },
  {
    path: '/chroma.html',
    title: 'Chroma key',
    text: 'Stand in front of a plain background, click it to calibrate, and the media server swaps it for an image.',
  },
  {
    path: '/effects.html',
    title: 'Effects',
    text: 'GStreamer effects (black and white, mirror, edges, sepia, old film) applied live by the media server.',
  },
  {
    path: '/recordings.html',
    title: 'Recordings',
    text: 'The media repository: thumbnails, durations, play in the page, download, delete.',
  },
];

@customElement('demo-index')
export class DemoIndex extends LitElement {
  static override styles = css`
    :host {
      display: block;
      max-width: 760px;
      margin: 0 auto;
      font: 15px system-ui;
    }
    .server {
      padding: 8px 12px;
      border-radius: 6px;
      margin: 12px 0;
    }
    .up {
      background: #e6f6ea;
      color: #1d5e2c;
    }
    .down {
      background: #fde8e8;
      color: #8a1c1c;
    }
    li {
      margin: 8px 0;
    }
  `;

  @state() private status: Status | undefined;
  @state() private problem = '';
  private timer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), 3000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    try {
      const res = await fetch('/api/status');
      this.status = (await res.json()) as Status;
      this.problem = '';
    } catch {
      this.problem = 'The application server is not answering.';
    }
  }

  protected override render() {
    const ms = this.status?.mediaServer;
    const servers = ms?.servers.map((s) => `${s.url} (${s.state})`).join(', ') ?? '';
    const serverLine = this.problem
      ? html`<div class="server down" id="media-status">${this.problem}</div>`
      : !ms
        ? html`<div class="server" id="media-status">Checking the media server…</div>`
        : ms.ready
          ? html`<div class="server up" id="media-status">
              Media server reachable${ms.embedded ? ' (embedded)' : ''}: ${servers}
            </div>`
          : html`<div class="server down" id="media-status">
              Media server not reachable: ${servers}. The demos will work as soon as it is up.
            </div>`;
    return html`${serverLine}
      <ul>
        ${DEMOS.map((d) => html`<li><a href=${d.path}>${d.title}</a> — ${d.text}</li>`)}
      </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'demo-index': DemoIndex;
  }
}
