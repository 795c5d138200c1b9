// The layout every demo page shares: a centred column, rows of controls, plain inputs.

import { css } from 'lit';

export const demoPageStyles = css`
  :host {
    display: block;
    max-width: 960px;
    margin: 0 auto;
    font: 15px system-ui;
  }
  .row {
    display: flex;
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
  button,
  input {
    font: inherit;
    padding: 6px 12px;
  }
`;
