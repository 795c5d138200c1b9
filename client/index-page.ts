// The index page: every demo the server's registry lists, and whether the media server is
// reachable right now.

import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import './components/site-header';
import { PolledJson } from './controllers/polled-json';

/** One media server of the pool, as /api/status gives it (server/kurento/pool.ts). */
interface Member {
  url: string;
  state: string;
  healthy: boolean;
  sessions: number;
  pipelines?: number;
  cpuCount?: number;
  usedCpuPercent?: number;
  usedMemoryBytes?: number;
}

interface Status {
  mediaServer: { ready: boolean; embedded: boolean; servers: Member[] };
}

/** A member in a line: its state, our sessions there and what it last said of its load. */
function describeMember(m: Member): string {
  const parts = [
    m.state === 'ready' && !m.healthy ? 'not answering' : m.state,
    `${m.sessions} session${m.sessions === 1 ? '' : 's'}`,
  ];
  if (m.pipelines !== undefined) parts.push(`${m.pipelines} pipeline${m.pipelines === 1 ? '' : 's'}`);
  if (m.usedCpuPercent !== undefined) parts.push(`CPU ${Math.round(m.usedCpuPercent)} % of ${m.cpuCount}`);
  if (m.usedMemoryBytes !== undefined) parts.push(`${Math.round(m.usedMemoryBytes / 2 ** 20)} MiB`);
  return `${m.url}: ${parts.join(', ')}`;
}

/** One entry of /api/demos: the server's registry of demos, in the index's order. */
interface DemoCard {
  name: string;
  page: string;
  title: string;
  summary: string;
  /** Why it cannot run on this media server (a module it lacks). */
  unavailable?: string;
}

const NOT_ANSWERING = 'The application server is not answering.';

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
    .unavailable {
      color: #8a1c1c;
      font-size: 13px;
      margin-top: 2px;
    }
    .members {
      margin: 4px 0 0;
      padding-left: 20px;
      font-size: 13px;
    }
    .members li {
      margin: 2px 0;
    }
  `;

  private readonly status = new PolledJson<Status>(this, '/api/status', 3000, () => NOT_ANSWERING);
  // Read again now and then: a media server that connects later may lack a demo's module.
  private readonly demos = new PolledJson<{ demos: DemoCard[] }>(this, '/api/demos', 10_000, () => NOT_ANSWERING);

  protected override render() {
    const ms = this.status.value?.mediaServer;
    const problem = this.status.problem || this.demos.problem;
    const servers = html`<ul class="members">
      ${(ms?.servers ?? []).map((m) => html`<li>${describeMember(m)}</li>`)}
    </ul>`;
    const serverLine = problem
      ? html`<div class="server down" id="media-status">${problem}</div>`
      : !ms
        ? html`<div class="server" id="media-status">Checking the media server…</div>`
        : ms.ready
          ? html`<div class="server up" id="media-status">
              Media server reachable${ms.embedded ? ' (embedded)' : ''}: ${servers}
            </div>`
          : html`<div class="server down" id="media-status">
              Media server not reachable; the demos will work as soon as it is up. ${servers}
            </div>`;
    return html`${serverLine}
      <ul>
        ${(this.demos.value?.demos ?? []).map(
          (d) =>
            html`<li data-demo=${d.name}>
              <a href=${d.page}>${d.title}</a> — ${d.summary}
              ${d.unavailable ? html`<div class="unavailable">${d.unavailable}</div>` : ''}
            </li>`,
        )}
      </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'demo-index': DemoIndex;
  }
}
