// Chroma key: point the camera at a plain background (a green sheet works best), click on
// that background in your own video to calibrate, and the media server's ChromaFilter shows
// the chosen image wherever that colour is.

import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { BACKGROUNDS, NONE } from '../../server/demos/filters/catalog';
import type { ChromaClientMessage } from '../../server/signaling/protocol/filters';
import '../components/choice-list';
import { demoPageStyles } from '../components/page-styles';
import '../components/stats-panel';
import '../components/status-banner';
import '../components/video-tile';
import { LoopbackController } from '../controllers/hello-world';

const CHOICES = [
  ...BACKGROUNDS.map((b) => ({ id: b.id, label: b.label, image: `/assets/${b.file}` })),
  { id: NONE, label: 'None' },
];

const STATE_TEXT = {
  idle: 'Press Start, then click on the plain background in your video to calibrate.',
  starting: 'Connecting to the media server…',
  connected: 'Connected. Click on the background in the local video to calibrate the key colour.',
  stopping: 'Stopping…',
} as const;

@customElement('chroma-demo')
export class ChromaDemo extends LitElement {
  static override styles = demoPageStyles;

  private readonly call = new LoopbackController<ChromaClientMessage>(this, '/chroma');
  @state() private background = BACKGROUNDS[0]!.id;

  private choose(background: string): void {
    this.background = background;
    this.call.send({ id: 'background', background });
  }

  /** A click on the local video, in the video's own pixels (what the media server sees). */
  private calibrate(e: MouseEvent): void {
    const video = e.composedPath().find((el): el is HTMLVideoElement => el instanceof HTMLVideoElement);
    if (!video || !video.videoWidth || this.call.state !== 'connected') return;
    const box = video.getBoundingClientRect();
    const x = Math.round(((e.clientX - box.left) / box.width) * video.videoWidth);
    const y = Math.round(((e.clientY - box.top) / box.height) * video.videoHeight);
    this.call.send({ id: 'calibrate', x, y });
  }

  protected override render() {
    const c = this.call;
    const credit = BACKGROUNDS.find((b) => b.id === this.background)?.credit;
    return html`
      <div class="row">
        <button id="start" @click=${() => void c.start({ background: this.background })} ?disabled=${c.state !== 'idle'}>
          Start
        </button>
        <button id="stop" @click=${() => c.stop()} ?disabled=${c.state === 'idle'}>Stop</button>
        <span id="calibrated">${c.applied === 'calibrated' ? 'Calibrated: click again to recalibrate.' : ''}</span>
      </div>
      <stage-choice-list
        name="background"
        .choices=${CHOICES}
        selected=${this.background}
        @choose=${(e: CustomEvent<string>) => this.choose(e.detail)}
      ></stage-choice-list>
      <stage-status .state=${`${STATE_TEXT[c.state]} (connection: ${c.connection})`} .error=${c.error}></stage-status>
      <div class="videos">
        <stage-video-tile
          label="Local camera: click the background here"
          video-id="local"
          muted
          style="cursor: crosshair"
          @click=${(e: MouseEvent) => this.calibrate(e)}
          .stream=${c.localStream}
        ></stage-video-tile>
        <stage-video-tile
          label="Through the ChromaFilter"
          video-id="remote"
          .stats=${c.stats.at(-1)}
          muted
          .stream=${c.remoteStream}
        ></stage-video-tile>
      </div>
      <p><small id="credit">${credit ?? ''}</small></p>
      <stage-stats .samples=${c.stats}></stage-stats>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'chroma-demo': ChromaDemo;
  }
}
