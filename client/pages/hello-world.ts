// The hello-world page: your camera, and the same camera coming back through the media
// server. Start and Stop, the connection state, live stats, and errors in words.

import { LitElement, html } from 'lit';
import { customElement } from 'lit/decorators.js';
import { demoPageStyles } from '../components/page-styles';
import '../components/stats-panel';
import '../components/status-banner';
import '../components/video-tile';
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
    const c = this.call;
    return html`
      <div class="row">
        <button id="start" @click=${() => void c.start()} ?disabled=${c.state !== 'idle'}>Start</button>
        <button id="stop" @click=${() => c.stop()} ?disabled=${c.state === 'idle'}>Stop</button>
      </div>
      <stage-status .state=${`${STATE_TEXT[c.state]} (connection: ${c.connection})`} .error=${c.error}></stage-status>
      <div class="videos">
        <stage-video-tile label="Local camera" video-id="local" muted .stream=${c.localStream}></stage-video-tile>
        <stage-video-tile
          label="Back from the media server"
          video-id="remote"
          .stats=${c.stats.at(-1)}
          muted
          .stream=${c.remoteStream}
        ></stage-video-tile>
      </div>
      <stage-stats .samples=${c.stats}></stage-stats>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'hello-world-demo': HelloWorldDemo;
  }
}
