// The operator's view (/pipelines): every pipeline the application holds, on every media
// server, with what it is for, drawn as each demo page draws its own. Polls /api/pipelines.

import { LitElement, css, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import './components/site-header';
import type { PipelineSnapshot } from '../server/signaling/pipeline-messages';
import './components/pipeline-view';

interface Listed {
  label: string;
  server: string;
  pipeline: PipelineSnapshot | null;
}

const POLL_MS = 2000;

@customElement('pipelines-page')
export class PipelinesPage extends LitElement {
  static override styles = css`
    :host {
      display: block;
      max-width: 960px;
      margin: 0 auto;
      font: 15px system-ui;
    }
    article {
      border: 1px solid #d5dae1;
      border-radius: 8px;
      padding: 8px 12px;
      margin: 12px 0;
    }
    h2 {
      font-size: 16px;
      margin: 4px 0 8px;
    }
  `;

  @state() private listed: Listed[] | undefined;
  @state() private problem = '';
  private timer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), POLL_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    try {
      const res = await fetch('/api/pipelines');
      if (!res.ok) throw new Error(`the server answered ${res.status}`);
      this.listed = ((await res.json()) as { pipelines: Listed[] }).pipelines;
      this.problem = '';
    } catch (err) {
      this.problem = `Could not read the pipelines: ${(err as Error).message}`;
    }
  }

  protected override render() {
    if (this.problem) return html`<p role="alert">${this.problem}</p>`;
    if (!this.listed) return html`<p>Reading the pipelines…</p>`;
    if (this.listed.length === 0) return html`<p id="none">No pipelines right now: start a demo in another tab.</p>`;
    return html`<p id="count">${this.listed.length} pipeline${this.listed.length === 1 ? '' : 's'}.</p>
      ${this.listed.map(
        (l) =>
          html`<article>
            <h2>${l.label}</h2>
            <stage-pipeline-view .pipelines=${l.pipeline ? [l.pipeline] : []} emptyText="Being read…"></stage-pipeline-view>
          </article>`,
      )}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'pipelines-page': PipelinesPage;
  }
}
