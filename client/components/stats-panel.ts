// Live call statistics: the latest numbers and a small bitrate chart of the last minute.

import { LitElement, css, html, svg } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { StatsSample } from '../controllers/stats';

@customElement('stage-stats')
export class StatsPanel extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font: 13px system-ui;
      color: #333;
    }
    dl {
      display: grid;
      grid-template-columns: repeat(5, auto);
      gap: 2px 16px;
      margin: 0 0 6px;
    }
    dt {
      color: #777;
      font-size: 11px;
      text-transform: uppercase;
    }
    dd {
      margin: 0;
      font-variant-numeric: tabular-nums;
    }
    svg {
      width: 100%;
      height: 48px;
      background: #f6f6f6;
      border-radius: 4px;
    }
  `;

  /** Samples, oldest first; the chart shows up to the last 60. */
  @property({ attribute: false }) samples: StatsSample[] = [];

  protected override render() {
    const last = this.samples[this.samples.length - 1];
    const points = this.samples.slice(-60);
    const max = Math.max(500, ...points.map((p) => p.inboundKbps));
    const line = points.map((p, i) => `${(i / 59) * 300},${48 - (p.inboundKbps / max) * 44}`).join(' ');
    return html`<dl>
        <div>
          <dt>bitrate in</dt>
          <dd>${last ? `${last.inboundKbps.toFixed(0)} kbps` : '–'}</dd>
        </div>
        <div>
          <dt>loss</dt>
          <dd>${last ? `${last.packetLossPercent.toFixed(1)} %` : '–'}</dd>
        </div>
        <div>
          <dt>rtt</dt>
          <dd>${last?.rttMs !== undefined ? `${last.rttMs.toFixed(0)} ms` : '–'}</dd>
        </div>
        <div>
          <dt>resolution</dt>
          <dd>${last && last.width ? `${last.width}×${last.height}` : '–'}</dd>
        </div>
        <div>
          <dt>fps</dt>
          <dd>${last ? last.framesPerSecond.toFixed(0) : '–'}</dd>
        </div>
      </dl>
      <svg viewBox="0 0 300 48" preserveAspectRatio="none" aria-label="incoming bitrate, last minute">
        ${svg`<polyline fill="none" stroke="#2a7ae2" stroke-width="1.5" points=${line}></polyline>`}
      </svg>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'stage-stats': StatsPanel;
  }
}
