// The state of a call in words, and any error, where the user looks.

import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';

@customElement('stage-status')
export class StatusBanner extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font-size: 14px;
    }
    .state {
      color: var(--stage-text, #18202b);
      padding: 8px 12px;
      border-radius: 8px;
      background: var(--stage-surface, #fff);
      border: 1px solid var(--stage-border, #cfd6df);
    }
    .error {
      margin-top: 6px;
      padding: 8px 12px;
      border-radius: 8px;
      background: var(--stage-danger-bg, #fde8e8);
      color: var(--stage-danger, #a4161a);
    }
  `;

  /** What is happening now, in words. */
  @property() state = '';
  /** An error to show; empty shows none. */
  @property() error = '';

  protected override render() {
    return html`<div class="state" role="status">${this.state}</div>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'stage-status': StatusBanner;
  }
}
