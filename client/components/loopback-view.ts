// The page every loopback demo shows (hello world and the filter demos): Start and Stop,
// the demo's own controls, the state in words, your camera beside what came back through
// the media server, and the stats. Each page gives only what differs.

import { html, nothing, type TemplateResult } from 'lit';
import type { CallState, LoopbackController } from '../controllers/loopback';
import './stats-panel';
import './status-banner';
import './video-tile';

export interface LoopbackView {
  /** What the page says in each state. */
  stateText: Record<CallState, string>;
  remoteLabel: string;
  localLabel?: string;
  /** Starts the session with the page's current choices. */
  start(): void;
  /** Beside the buttons (a short status). */
  beside?: TemplateResult | string;
  /** Under the buttons: choosers, notes. */
  controls?: TemplateResult;
  /** Under the videos: credits. */
  footer?: TemplateResult;
  /** A click on the local video (chroma calibrates with it). */
  onLocalClick?: (e: MouseEvent) => void;
}

export function loopbackView<Out extends { id: string }>(c: LoopbackController<Out>, v: LoopbackView): TemplateResult {
  return html`
    <div class="row">
      <button id="start" @click=${() => v.start()} ?disabled=${c.state !== 'idle'}>Start</button>
      <button id="stop" @click=${() => c.stop()} ?disabled=${c.state === 'idle'}>Stop</button>
      ${v.beside ?? nothing}
    </div>
    ${v.controls ?? nothing}
    <stage-status .state=${`${v.stateText[c.state]} (connection: ${c.connection})`} .error=${c.error}></stage-status>
    <div class="videos">
      <stage-video-tile
        label=${v.localLabel ?? 'Local camera'}
        video-id="local"
        muted
        style=${v.onLocalClick ? 'cursor: crosshair' : ''}
        @click=${(e: MouseEvent) => v.onLocalClick?.(e)}
        .stream=${c.localStream}
      ></stage-video-tile>
      <stage-video-tile
        label=${v.remoteLabel}
        video-id="remote"
        .stats=${c.stats.at(-1)}
        muted
        .stream=${c.remoteStream}
      ></stage-video-tile>
    </div>
    ${v.footer ?? nothing}
    <stage-stats mode="both" .samples=${c.stats}></stage-stats>
  `;
}
