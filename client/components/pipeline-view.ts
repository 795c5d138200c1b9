// A media pipeline as the media server reports it: each element a box with its class, whether
// media flows in and out (A for audio, V for video, lit while flowing) and, for endpoints,
// the bitrate. In and out are KMS's MediaFlowIn/Out: media reaching the element from the
// pipeline, and leaving it into the pipeline; an endpoint's bitrates are on its network side
// (received from its peer, sent to it), so a presenter's endpoint receives from the browser
// and flows out, a viewer's flows in and sends; each connection an arrow labelled with its media types. Elements are placed in
// columns by how far media has come from a source, creation order breaking ties, so a
// loopback's or a call's return path draws as an arrow back underneath.

import { LitElement, css, html, svg, nothing, type TemplateResult } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { FlowMediaType, PipelineElementView, PipelineSnapshot } from '../../server/signaling/pipeline-messages';

const BOX_W = 176;
const BOX_H = 64;
const GAP_X = 64;
const GAP_Y = 22;
const PAD = 12;

interface Placed {
  element: PipelineElementView;
  x: number;
  y: number;
}

interface Edge {
  source: string;
  sink: string;
  types: string[];
}

/** The last characters of an object id: enough to tell two elements of a class apart. */
export const shortId = (id: string): string => id.slice(id.lastIndexOf('/') + 1, id.lastIndexOf('/') + 5);

function layout(pipeline: PipelineSnapshot): { placed: Map<string, Placed>; width: number; height: number } {
  const order = new Map(pipeline.elements.map((e, i) => [e.id, i]));
  const depth = new Map<string, number>();
  for (const element of pipeline.elements) {
    const from = pipeline.connections
      .filter((c) => c.sink === element.id && (order.get(c.source) ?? 0) < (order.get(element.id) ?? 0))
      .map((c) => (depth.get(c.source) ?? 0) + 1);
    depth.set(element.id, Math.max(0, ...from));
  }
  const rows = new Map<number, number>();
  const placed = new Map<string, Placed>();
  for (const element of pipeline.elements) {
    const column = depth.get(element.id) ?? 0;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    placed.set(element.id, { element, x: PAD + column * (BOX_W + GAP_X), y: PAD + row * (BOX_H + GAP_Y) });
  }
  const columns = Math.max(1, ...[...depth.values()].map((d) => d + 1));
  const maxRows = Math.max(1, ...rows.values());
  // Room on the right for a loopback's loop, and below the last row for return arrows.
  return {
    placed,
    width: PAD * 2 + columns * BOX_W + (columns - 1) * GAP_X + 48,
    height: PAD * 2 + maxRows * (BOX_H + GAP_Y) + 24,
  };
}

function edgesOf(pipeline: PipelineSnapshot): Edge[] {
  const edges = new Map<string, Edge>();
  for (const c of pipeline.connections) {
    const key = `${c.source} ${c.sink}`;
    const edge = edges.get(key) ?? { source: c.source, sink: c.sink, types: [] };
    edge.types.push(c.mediaType);
    edges.set(key, edge);
  }
  return [...edges.values()];
}

const typesLabel = (types: string[]): string =>
  types
    .slice()
    .sort()
    .map((t) => t[0])
    .join('+');

@customElement('stage-pipeline-view')
export class PipelineView extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font: 12px system-ui;
      color: var(--stage-text, #222);
    }
    .scroll {
      overflow-x: auto;
    }
    svg {
      display: block;
    }
    .box {
      fill: var(--stage-surface, #fff);
      stroke: var(--stage-border, #9aa4b2);
    }
    .box.endpoint {
      stroke: var(--stage-accent, #2f6fde);
    }
    .type {
      font-weight: 600;
      fill: currentColor;
    }
    .meta {
      fill: var(--stage-muted, #667);
    }
    .flow {
      fill: var(--stage-muted, #99a);
    }
    .flow.on {
      fill: var(--stage-ok, #14833b);
      font-weight: 700;
    }
    .edge {
      fill: none;
      stroke: var(--stage-muted, #667);
      stroke-width: 1.5;
    }
    .edge-label {
      fill: var(--stage-muted, #556);
      font-size: 11px;
    }
    .arrow {
      fill: var(--stage-muted, #667);
    }
    .empty {
      color: var(--stage-muted, #667);
      margin: 6px 0;
    }
    ul {
      margin: 6px 0 0;
      padding-left: 18px;
    }
  `;

  @property({ attribute: false }) pipelines: PipelineSnapshot[] = [];
  /** Shown when there is no pipeline (yet, or any more). */
  @property() emptyText = 'No pipeline yet: start the demo to see the one the media server builds for it.';

  protected override render() {
    if (this.pipelines.length === 0) return html`<p class="empty">${this.emptyText}</p>`;
    return html`${this.pipelines.map((p) => this.renderPipeline(p))}`;
  }

  private renderPipeline(pipeline: PipelineSnapshot): TemplateResult {
    const { placed, width, height } = layout(pipeline);
    const edges = edgesOf(pipeline);
    return html`<section class="pipeline" data-pipeline=${pipeline.id}>
      <div class="scroll">
        <svg
          width=${width}
          height=${height}
          viewBox="0 0 ${width} ${height}"
          role="img"
          aria-label="Media pipeline with ${pipeline.elements.length} elements"
        >
          <defs>
            <marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="8" markerHeight="8" orient="auto">
              <path class="arrow" d="M0,0 L8,4 L0,8 z"></path>
            </marker>
          </defs>
          ${edges.map((e, i) => this.renderEdge(e, placed, height, i))} ${[...placed.values()].map((p) => this.renderBox(p))}
        </svg>
      </div>
      <ul class="listing">
        ${pipeline.elements.map(
          (e) =>
            html`<li data-element=${e.id} data-element-type=${e.type}>
              ${e.type} <code>${shortId(e.id)}</code>: from the pipeline ${this.flowWords(e.flowIn)}, into the pipeline
              ${this.flowWords(e.flowOut)}${
                e.bitrate ? html`; receives ${e.bitrate.inKbps} kbit/s, sends ${e.bitrate.outKbps} kbit/s` : nothing
              }
            </li>`,
        )}
        ${edges.map((e) => {
          const from = placed.get(e.source)?.element;
          const to = placed.get(e.sink)?.element;
          return html`<li data-connection data-source=${e.source} data-sink=${e.sink}>
            ${from?.type} <code>${shortId(e.source)}</code> → ${to?.type} <code>${shortId(e.sink)}</code>
            (${e.types.slice().sort().join(', ')})
          </li>`;
        })}
      </ul>
      <p class="meta">Media server: ${pipeline.server}</p>
    </section>`;
  }

  private flowWords(flow: Partial<Record<FlowMediaType, boolean>>): string {
    const flowing = (['AUDIO', 'VIDEO'] as const).filter((t) => flow[t]).map((t) => t.toLowerCase());
    return flowing.length ? flowing.join(' and ') : 'nothing';
  }

  private renderBox({ element, x, y }: Placed) {
    const endpoint = element.type.endsWith('Endpoint');
    const flag = (label: string, on: boolean | undefined, dx: number) =>
      svg`<text class="flow ${on ? 'on' : ''}" x=${x + dx} y=${y + 38}>${label}</text>`;
    return svg`<g class="element">
      <rect class="box ${endpoint ? 'endpoint' : ''}" x=${x} y=${y} width=${BOX_W} height=${BOX_H} rx="6"></rect>
      <text class="type" x=${x + 8} y=${y + 17}>${element.type}</text>
      <text class="meta" x=${x + BOX_W - 8} y=${y + 17} text-anchor="end">${shortId(element.id)}</text>
      <text class="meta" x=${x + 8} y=${y + 38}>in</text>
      ${flag('A', element.flowIn.AUDIO, 24)} ${flag('V', element.flowIn.VIDEO, 36)}
      <text class="meta" x=${x + 58} y=${y + 38}>out</text>
      ${flag('A', element.flowOut.AUDIO, 82)} ${flag('V', element.flowOut.VIDEO, 94)}
      ${
        element.bitrate
          ? svg`<text class="meta" x=${x + 8} y=${y + 56}>rx ${element.bitrate.inKbps} · tx ${element.bitrate.outKbps} kbit/s</text>`
          : nothing
      }
    </g>`;
  }

  private renderEdge(edge: Edge, placed: Map<string, Placed>, height: number, index: number) {
    const a = placed.get(edge.source);
    const b = placed.get(edge.sink);
    if (!a || !b) return nothing;
    const label = typesLabel(edge.types);
    if (a === b) {
      // An element connected to itself (hello world's loopback): a loop on its right side.
      const x = a.x + BOX_W;
      const d = `M${x},${a.y + 18} C${x + 40},${a.y + 4} ${x + 40},${a.y + BOX_H - 4} ${x + 2},${a.y + BOX_H - 18}`;
      return svg`<path class="edge" d=${d} marker-end="url(#arrow)"></path>
        <text class="edge-label" x=${x + 30} y=${a.y + BOX_H / 2 + 4}>${label}</text>`;
    }
    if (a.x < b.x) {
      const [x1, y1, x2, y2] = [a.x + BOX_W, a.y + BOX_H / 2, b.x - 2, b.y + BOX_H / 2];
      const mid = (x1 + x2) / 2;
      const d = `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`;
      return svg`<path class="edge" d=${d} marker-end="url(#arrow)"></path>
        <text class="edge-label" x=${mid - 10} y=${(y1 + y2) / 2 - 4}>${label}</text>`;
    }
    // A return path: from under the source, below everything, up into the sink.
    const [x1, y1, x2, y2] = [a.x + BOX_W / 2 + 10, a.y + BOX_H, b.x + BOX_W / 2 - 10, b.y + BOX_H + 2];
    const low = height - 10 - (index % 3) * 4;
    const d = `M${x1},${y1} C${x1},${low} ${x2},${low} ${x2},${y2}`;
    return svg`<path class="edge" d=${d} marker-end="url(#arrow)"></path>
      <text class="edge-label" x=${(x1 + x2) / 2 - 10} y=${low - 6}>${label}</text>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'stage-pipeline-view': PipelineView;
  }
}
