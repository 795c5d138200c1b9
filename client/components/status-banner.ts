// The state of a call in words, and any error, where the user looks.

import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';

@customElement('stage-status')
export class StatusBanner extends LitElement {
  static override styles = css`
    :host {
      display: block;
      font: 14px system-ui;
    }
    .state {
      color: #444;
    }
    .error {
      margin-top: 6px;
      padding: 8px 12px;
      border-radius: 6px;
      background: #fde8e8;
      color: #8a1c1c;
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
