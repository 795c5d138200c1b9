// The hello-world page: your camera, and the same camera coming back through the media
// server. Start and Stop, the connection state, live stats, and errors in words.

import { LitElement, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { demoPageStyles } from '../../../client/components/page-styles';
import { loopbackView } from '../../../client/components/loopback-view';
import { LoopbackController } from '../../../client/controllers/loopback';
import '../../../client/components/how-it-works';
import README from '../README.md';
import '../../../client/components/site-header';

const STATE_TEXT = {
  idle: 'Press Start to send your camera through the media server and back.',
  starting: 'Connecting to the media server…',
  connected: 'Connected: the right-hand video has made the round trip through the media server.',
  stopping: 'Stopping…',
} as const;

@customElement('hello-world-demo')
export class HelloWorldDemo extends LitElement {
  static override styles = demoPageStyles;

  private readonly call = new LoopbackController(this, '/helloworld');

  protected override render() {
    const view = loopbackView(this.call, {
      stateText: STATE_TEXT,
      remoteLabel: 'Back from the media server',
      start: () => void this.call.start(),
    });
    return html`${view}<stage-how-it-works .readme=${README}></stage-how-it-works>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'hello-world-demo': HelloWorldDemo;
  }
}
