// The operator's view (/pipelines): every pipeline the application holds, on every media
// server, with what it is for, drawn as each demo page draws its own. Polls /api/pipelines.

import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import './components/site-header';
import { PolledJson } from './controllers/polled-json';
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

  private readonly feed = new PolledJson<{ pipelines: Listed[] }>(
    this,
    '/api/pipelines',
    POLL_MS,
    (err) => `Could not read the pipelines: ${err.message}`,
  );

  protected override render() {
    const listed = this.feed.value?.pipelines;
    if (this.feed.problem) return html`<p role="alert">${this.feed.problem}</p>`;
    if (!listed) return html`<p>Reading the pipelines…</p>`;
    if (listed.length === 0) return html`<p id="none">No pipelines right now: start a demo in another tab.</p>`;
    return html`<p id="count">${listed.length} pipeline${listed.length === 1 ? '' : 's'}.</p>
      ${listed.map(
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
