// The "How it works" panel every demo page has: the demo's README (what it shows, its
// pipeline as drawn by hand, its messages and Kurento calls) beside the pipeline the media
// server really holds for this page right now, as the signaling client hears it.

import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import { marked } from 'marked';
import type { PipelineSnapshot } from '../../server/signaling/pipeline-messages';
import { PIPELINES_EVENT, type PipelinesEventDetail } from '../controllers/signaling';
import './pipeline-view';

@customElement('stage-how-it-works')
export class HowItWorks extends LitElement {
  static override styles = css`
    :host {
      display: block;
      margin: 24px 0;
      border-top: 1px solid var(--stage-border, #d5dae1);
      padding-top: 8px;
    }
    h2 {
      font-size: 18px;
      margin: 8px 0;
    }
    h3 {
      font-size: 15px;
      margin: 14px 0 6px;
    }
    .readme {
      overflow-wrap: anywhere;
    }
    .readme :is(h1) {
      display: none;
    }
    .readme :is(h2) {
      font-size: 15px;
    }
    .readme pre {
      overflow-x: auto;
      background: var(--stage-code-bg, #f3f5f8);
      padding: 8px;
      border-radius: 6px;
      font-size: 12px;
    }
    .readme table {
      border-collapse: collapse;
      font-size: 13px;
    }
    .readme :is(td, th) {
      border: 1px solid var(--stage-border, #d5dae1);
      padding: 3px 8px;
      text-align: left;
      vertical-align: top;
    }
    .columns {
      display: grid;
      grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
      gap: 24px;
    }
    @media (max-width: 820px) {
      .columns {
        grid-template-columns: minmax(0, 1fr);
      }
    }
  `;

  /** The demo's README.md, bundled as text. */
  @property({ attribute: false }) readme = '';
  /** For a page that builds no pipeline (the recordings). */
  @property() emptyText: string | undefined;
  @state() private pipelines: PipelineSnapshot[] = [];

  private readonly onPipelines = (event: Event): void => {
    this.pipelines = (event as CustomEvent<PipelinesEventDetail>).detail.pipelines;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(PIPELINES_EVENT, this.onPipelines);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener(PIPELINES_EVENT, this.onPipelines);
  }

  protected override render() {
    // NOTE: the README is this project's own file, bundled at build time: trusted markup.
    // A code block that scrolls sideways takes the keyboard focus, so it can be scrolled.
    const readme = marked.parse(this.readme, { async: false }).replaceAll('<pre>', '<pre tabindex="0">');
    return html`<h2 id="how-it-works">How it works</h2>
      <div class="columns">
        <div class="readme">${unsafeHTML(readme)}</div>
        <div>
          <h3>Live pipeline</h3>
          <stage-pipeline-view
            .pipelines=${this.pipelines}
            .emptyText=${this.emptyText ?? 'No pipeline yet: start the demo to see the one the media server builds for it.'}
          ></stage-pipeline-view>
        </div>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'stage-how-it-works': HowItWorks;
  }
}
