// The layout and controls every demo page shares: rows of controls that wrap, styled
// buttons, inputs and selects, and video grids that stack on a narrow screen. Colours come
// from the page's --stage-* variables (client/assets/stage.css), light or dark.

import { css } from 'lit';

/** Buttons, inputs and selects as every page draws them (also inside the kit's components). */
export const controlStyles = css`
  button,
  input,
  select {
    font: inherit;
    font-size: 14px;
    min-height: 36px;
    padding: 6px 12px;
    border-radius: 8px;
    border: 1px solid var(--stage-border, #cfd6df);
    background: var(--stage-surface, #fff);
    color: var(--stage-text, #18202b);
    max-width: 100%;
  }
`;

export const demoPageStyles = css`
  ${controlStyles}
  :host {
    display: block;
    color: var(--stage-text, #18202b);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
    margin: 8px 0;
  }
  .videos {
    display: grid;
    grid-template-columns: 1fr 1fr;
    gap: 12px;
    margin: 12px 0;
  }
  @media (max-width: 640px) {
    .videos {
      grid-template-columns: 1fr;
    }
  }
  /* A long field (a URL) takes what the row has left, and shrinks on a phone. */
  input.wide {
    flex: 1 1 240px;
    min-width: 0;
  }
  input[type='checkbox'],
  input[type='range'] {
    min-height: 0;
    padding: 0;
  }
  input[type='range'] {
    flex: 1 1 160px;
  }
  input:focus-visible,
  select:focus-visible,
  button:focus-visible {
    outline: 2px solid var(--stage-accent, #2457c5);
    outline-offset: 1px;
  }
  button {
    cursor: pointer;
    font-weight: 600;
  }
  button.primary {
    background: var(--stage-accent, #2457c5);
    border-color: var(--stage-accent, #2457c5);
    color: var(--stage-accent-text, #fff);
  }
  button:disabled {
    opacity: 0.45;
    cursor: default;
  }
  label {
    display: inline-flex;
    align-items: center;
    gap: 6px;
  }
  code {
    background: var(--stage-code-bg, #eaeef3);
    padding: 0 4px;
    border-radius: 4px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
