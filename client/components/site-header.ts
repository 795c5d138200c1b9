// The header on every page: the project's name (home) and the way to the demos, the
// recordings and the operator's view of all pipelines.

import { LitElement, css, html } from 'lit';
import { customElement } from 'lit/decorators.js';

const LINKS = [
  { href: '/', label: 'Demos' },
  { href: '/recordings.html', label: 'Recordings' },
  { href: '/pipelines', label: 'Pipelines' },
  { href: '/api-docs', label: 'API' },
];

@customElement('stage-header')
export class SiteHeader extends LitElement {
  static override styles = css`
    :host {
      display: block;
      background: var(--stage-surface, #fff);
      border-bottom: 1px solid var(--stage-border, #cfd6df);
    }
    header {
      max-width: 1000px;
      margin: 0 auto;
      padding: 10px 16px;
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 8px 20px;
    }
    .brand {
      font-weight: 700;
      font-size: 17px;
      color: var(--stage-text, #18202b);
      text-decoration: none;
      display: flex;
      align-items: center;
      gap: 8px;
    }
    nav {
      display: flex;
      gap: 16px;
    }
    nav a {
      color: var(--stage-accent, #2457c5);
      text-decoration: none;
    }
    nav a[aria-current='page'] {
      font-weight: 600;
      text-decoration: underline;
    }
  `;

  protected override render() {
    const here = location.pathname;
    return html`<header>
      <a class="brand" href="/"><img src="/assets/favicon.svg" alt="" width="22" height="22" />Kurento Stage</a>
      <nav aria-label="Site">
        ${LINKS.map((l) => html`<a href=${l.href} aria-current=${l.href === here ? 'page' : 'false'}>${l.label}</a>`)}
      </nav>
    </header>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'stage-header': SiteHeader;
  }
}
