// Live call statistics: the latest numbers and a small bitrate chart of the last minute.

import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { StatsSample } from '../controllers/stats';

@customElement('stage-stats')
export class StatsPanel extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-size: 13px;
      color: var(--stage-text, #18202b);
    }
    dl {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 20px;
      margin: 0 0 6px;
    }
    .axis {
      stroke: var(--stage-border, #cfd6df);
    }
    .tick {
      fill: var(--stage-muted, #535d6c);
      font-size: 9px;
    }
    polyline {
      fill: none;
      stroke-width: 1.5;
    }
    .in {
      stroke: #2a7ae2;
    }
    .out {
      stroke: #d9822b;
    }
    .legend {
      margin: 2px 0 0;
      font-size: 11px;
      color: var(--stage-muted, #535d6c);
    }
    .key {
      display: inline-block;
      width: 14px;
      height: 3px;
      vertical-align: middle;
    }
    .key.in {
      background: #2a7ae2;
    }
    .key.out {
      background: #d9822b;
    }
    dt {
      color: var(--stage-muted, #535d6c);
      font-size: 11px;
      text-transform: uppercase;
    }
    dd {
      margin: 0;
      font-variant-numeric: tabular-nums;
    }
    svg {
      display: block;
      width: 100%;
      max-width: 520px;
      height: auto;
      background: var(--stage-surface, #fff);
      border: 1px solid var(--stage-border, #cfd6df);
      border-radius: 4px;
    }
  `;

  /** Samples, oldest first; the chart shows up to the last 60. */
  @property({ attribute: false }) samples: StatsSample[] = [];
  /**
   * Which video this panel describes: what the page receives, what it sends (a presenter, a
   * group call's own tile), or both (a call). Bitrates are shown both ways always.
   */
  @property() mode: 'receive' | 'send' | 'both' = 'receive';

  protected override render() {
    const last = this.samples[this.samples.length - 1];
    const points = this.samples.slice(-60);
    const max = niceMax(Math.max(100, ...points.flatMap((p) => [p.inboundKbps, p.outboundKbps])));
    const line = (value: (p: StatsSample) => number): string =>
      points.map((p, i) => `${X0 + (i / 59) * (W - X0)},${H - 14 - (value(p) / max) * (H - 22)}`).join(' ');
    const video = (v: { width: number; height: number; framesPerSecond: number } | undefined) =>
      v && v.width ? `${v.width}×${v.height} · ${v.framesPerSecond.toFixed(0)} fps` : '–';
    const received = last ? { width: last.width, height: last.height, framesPerSecond: last.framesPerSecond } : undefined;
    const showIn = this.mode !== 'send';
    const showOut = this.mode !== 'receive';
    return html`<dl>
        <div>
          <dt>bitrate in</dt>
          <dd id="bitrate-in">${last ? kbps(last.inboundKbps) : '–'}</dd>
        </div>
        <div>
          <dt>bitrate out</dt>
          <dd id="bitrate-out">${last ? kbps(last.outboundKbps) : '–'}</dd>
        </div>
        ${
          showIn
            ? html`<div>
                <dt>video in</dt>
                <dd id="video-in">${video(received)}</dd>
              </div>`
            : ''
        }
        ${
          showOut
            ? html`<div>
                <dt>video out</dt>
                <dd id="video-out">${video(last?.sent)}</dd>
              </div>`
            : ''
        }
        <div>
          <dt>loss in</dt>
          <dd>${last ? `${last.packetLossPercent.toFixed(1)} %` : '–'}</dd>
        </div>
        <div>
          <dt>rtt</dt>
          <dd>${last?.rttMs !== undefined ? `${last.rttMs.toFixed(0)} ms` : '–'}</dd>
        </div>
        <div>
          <dt>ice route</dt>
          <dd id="route">${last?.route ? ROUTES[last.route] : '–'}</dd>
        </div>
      </dl>
      <svg viewBox="0 0 ${W} ${H}" role="img" aria-label="Bitrate in and out, kbit/s, over the last minute">
        ${svg`
          <line class="axis" x1=${X0} y1="4" x2=${X0} y2=${H - 14}></line>
          <line class="axis" x1=${X0} y1=${H - 14} x2=${W} y2=${H - 14}></line>
          <text class="tick" x=${X0 - 4} y="10" text-anchor="end">${max}</text>
          <text class="tick" x=${X0 - 4} y=${H - 14} text-anchor="end">0</text>
          <text class="tick" x=${X0 + 2} y=${H - 3}>−60 s</text>
          <text class="tick" x=${W} y=${H - 3} text-anchor="end">now · kbit/s</text>
          <polyline class="in" points=${line((p) => p.inboundKbps)}></polyline>
          <polyline class="out" points=${line((p) => p.outboundKbps)}></polyline>`}
      </svg>
      <p class="legend"><span class="key in"></span> in <span class="key out"></span> out</p>`;
  }
}

const W = 320;
const H = 72;
const X0 = 34;

const ROUTES = { host: 'direct (host)', srflx: 'STUN (srflx)', relay: 'TURN (relay)' } as const;

function kbps(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)} Mbit/s` : `${value.toFixed(0)} kbit/s`;
}

/** A round top for the chart's scale: 100, 200, 500, 1000, 2000… */
function niceMax(value: number): number {
  const step = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * step).find((n) => n >= value) ?? 10 * step;
}

declare global {
  interface HTMLElementTagNameMap {
    'stage-stats': StatsPanel;
  }
}
