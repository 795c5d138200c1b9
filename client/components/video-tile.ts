// A video with a caption: shows a MediaStream, or a placeholder while there is none, and
// (given a stats sample) a live overlay of its bitrate, resolution, loss and round trip.

import { LitElement, css, html } from 'lit';
import { customElement, property, query } from 'lit/decorators.js';
import type { StatsSample } from '../controllers/stats';

/** @fires none */
@customElement('stage-video-tile')
export class VideoTile extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    .tile {
      position: relative;
    }
    .off {
      position: absolute;
      left: 8px;
      top: 8px;
      display: flex;
      gap: 6px;
    }
    .off span {
      color: #fff;
      background: #a4161ae6;
      padding: 2px 8px;
      border-radius: 4px;
      font: 600 12px system-ui;
    }
    figure {
      margin: 0;
      position: relative;
      background: #111;
      border-radius: 8px;
      overflow: hidden;
      aspect-ratio: 4 / 3;
    }
    video {
      width: 100%;
      height: 100%;
      object-fit: cover;
      display: block;
    }
    figcaption {
      position: absolute;
      left: 8px;
      bottom: 8px;
      color: #fff;
      background: #0008;
      padding: 2px 8px;
      border-radius: 4px;
      font: 13px system-ui;
    }
    .stats {
      position: absolute;
      right: 8px;
      top: 8px;
      color: #fff;
      background: #0008;
      padding: 2px 8px;
      border-radius: 4px;
      font:
        12px ui-monospace,
        monospace;
    }
    .empty {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      color: #b8c0cc;
      font: 14px system-ui;
    }
    /* On a narrow screen the numbers go under the picture, not over it. */
    @media (max-width: 640px) {
      .stats {
        position: static;
        display: block;
        border-radius: 0 0 8px 8px;
        background: var(--stage-code-bg, #eaeef3);
        color: var(--stage-text, #18202b);
      }
    }
  `;

  /** The stream to show; undefined shows a placeholder. */
  @property({ attribute: false }) stream: MediaStream | undefined;
  /** The caption under the video. */
  @property() label = '';
  /** Mute playback (always true for one's own camera, to avoid echo). */
  @property({ type: Boolean }) muted = false;
  /** An id for the inner <video>, for tests and styling. */
  @property({ attribute: 'video-id' }) videoId = '';
  /** The participant's microphone is off: marked on the tile. */
  @property({ attribute: false }) audioOff = false;
  /** The participant's camera is off: marked on the tile. */
  @property({ attribute: false }) videoOff = false;
  /** The latest stats of this stream, shown over the video. */
  @property({ attribute: false }) stats: StatsSample | undefined;

  @query('video') private video!: HTMLVideoElement;

  protected override updated(): void {
    if (this.video.srcObject !== (this.stream ?? null)) this.video.srcObject = this.stream ?? null;
  }

  protected override render() {
    return html`<div class="tile">
      <figure>
        <video id=${this.videoId} autoplay playsinline ?muted=${this.muted} .muted=${this.muted}></video>
        ${this.stream ? '' : html`<div class="empty">no video</div>`}
        <figcaption>${this.label}</figcaption>
        ${
          this.audioOff || this.videoOff
            ? html`<div class="off">
                ${this.audioOff ? html`<span id="audio-off">Microphone off</span>` : ''}
                ${this.videoOff ? html`<span id="video-off">Camera off</span>` : ''}
              </div>`
            : ''
        }
      </figure>
      ${this.stream && this.stats ? html`<div class="stats">${overlay(this.stats)}</div>` : ''}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'stage-video-tile': VideoTile;
  }
}

function overlay(s: StatsSample): string {
  const kbps = Math.max(s.inboundKbps, s.outboundKbps);
  const rate = kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbps` : `${kbps.toFixed(0)} kbps`;
  // A receiver shows what it receives; a sender's own tile, what it sends.
  const video = s.width ? s : s.sent;
  const size = video.width ? ` · ${video.width}×${video.height}` : '';
  const rtt = s.rttMs !== undefined ? ` · ${s.rttMs.toFixed(0)} ms` : '';
  return `${rate}${size} · ${s.packetLossPercent.toFixed(1)}% loss${rtt}`;
}
