// The red REC mark with the time recorded so far, shown while a recorder runs. Time paused
// does not count: the clock holds while `paused`, and goes on from there.

import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';

@customElement('stage-rec')
export class RecIndicator extends LitElement {
  static override styles = css`
    :host {
      display: inline-flex;
      align-items: center;
      gap: 6px;
      font-weight: 700;
      font-variant-numeric: tabular-nums;
      color: var(--stage-rec, #d11a2a);
    }
    .dot {
      width: 10px;
      height: 10px;
      border-radius: 50%;
      background: currentColor;
    }
    :host(:not([paused])) .dot {
      animation: blink 1s steps(2, start) infinite;
    }
    @keyframes blink {
      to {
        visibility: hidden;
      }
    }
  `;

  /** Whether the recorder is paused: the clock holds. */
  @property({ type: Boolean, reflect: true }) paused = false;
  @state() private elapsedMs = 0;
  private last = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.last = Date.now();
    this.timer = setInterval(() => this.tick(), 250);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.timer);
  }

  private tick(): void {
    const now = Date.now();
    if (!this.paused) this.elapsedMs += now - this.last;
    this.last = now;
  }

  protected override render() {
    const seconds = Math.floor(this.elapsedMs / 1000);
    const clock = `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
    return html`<span class="dot" aria-hidden="true"></span
      ><span role="timer" aria-label="Recording for ${clock}">REC ${clock}${this.paused ? ' (paused)' : ''}</span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'stage-rec': RecIndicator;
  }
}
