// The hello-world page: your camera, and the same camera coming back through the media
// server. Start and Stop, the connection state, live stats, and errors in words.

import { LitElement } from 'lit';
import { customElement } from 'lit/decorators.js';
import { demoPageStyles } from '../components/page-styles';
import { loopbackView } from '../components/loopback-view';
import { HelloWorldController } from '../controllers/hello-world';

const STATE_TEXT = {
  idle: 'Press Start to send your camera through the media server and back.',
  starting: 'Connecting to the media server…',
  connected: 'Connected: the right-hand video has made the round trip through the media server.',
  stopping: 'Stopping…',
} as const;

@customElement('hello-world-demo')
export class HelloWorldDemo extends LitElement {
  static override styles = demoPageStyles;

  private readonly call = new HelloWorldController(this);

  protected override render() {
    return loopbackView(this.call, {
      stateText: STATE_TEXT,
      remoteLabel: 'Back from the media server',
      start: () => void this.call.start(),
    });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'hello-world-demo': HelloWorldDemo;
  }
}
