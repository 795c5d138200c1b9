// The index page: every demo the server's registry lists, and whether the media server is
// reachable right now.

import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import './components/site-header';

interface Status {
  mediaServer: { ready: boolean; embedded: boolean; servers: { url: string; state: string }[] };
}

/** One entry of /api/demos: the server's registry of demos, in the index's order. */
interface DemoCard {
  name: string;
  page: string;
  title: string;
  summary: string;
}

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
  @state() private demos: DemoCard[] = [];
  @state() private problem = '';
  private timer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadDemos();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), 3000);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  private async loadDemos(): Promise<void> {
    try {
      const res = await fetch('/api/demos');
      this.demos = ((await res.json()) as { demos: DemoCard[] }).demos;
    } catch {
      this.problem = 'The application server is not answering.';
    }
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
        ${this.demos.map((d) => html`<li><a href=${d.page}>${d.title}</a> — ${d.summary}</li>`)}
      </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'demo-index': DemoIndex;
  }
}
