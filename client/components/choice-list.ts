// A row of choices (overlays, backgrounds, effects), one of them selected, with an optional
// picture each. It only reports the user's pick (a `choose` event with the id); the page
// decides what a pick does.

import { LitElement, css, html, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { NONE } from '../../server/signaling/filter-messages';

export interface Choice {
  id: string;
  label: string;
  /** A picture for the button, e.g. /assets/overlays/top-hat.png. */
  image?: string;
}

/** The choices with "None" (the catalog's `none`: the video passes unchanged) at the end. */
export function withNone(choices: Choice[]): Choice[] {
  return [...choices, { id: NONE, label: 'None' }];
}

@customElement('stage-choice-list')
export class ChoiceList extends LitElement {
  static override styles = css`
    :host {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
      margin: 8px 0;
    }
    button {
      font: inherit;
      display: flex;
      align-items: center;
      gap: 6px;
      padding: 6px 10px;
      border: 2px solid var(--stage-border, #cfd6df);
      border-radius: 8px;
      background: var(--stage-surface, #fff);
      color: var(--stage-text, #18202b);
      cursor: pointer;
    }
    button[aria-pressed='true'] {
      border-color: var(--stage-accent, #2457c5);
      font-weight: 600;
    }
    img {
      height: 28px;
      max-width: 48px;
      object-fit: contain;
    }
  `;

  @property({ attribute: false }) choices: Choice[] = [];
  @property() selected = '';
  /** The group's name, for screen readers and tests. */
  @property() name = '';

  protected override render() {
    return html`${this.choices.map(
      (c) =>
        html`<button
          id=${`${this.name}-${c.id}`}
          aria-pressed=${c.id === this.selected ? 'true' : 'false'}
          @click=${() => this.dispatchEvent(new CustomEvent('choose', { detail: c.id, bubbles: true, composed: true }))}
        >
          ${c.image ? html`<img src=${c.image} alt="" />` : nothing}${c.label}
        </button>`,
    )}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'stage-choice-list': ChoiceList;
  }
}
