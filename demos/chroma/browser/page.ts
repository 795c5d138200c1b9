// Chroma key: point the camera at a plain background (a green sheet works best), click on
// that background in your own video to calibrate, and the media server's ChromaFilter shows
// the chosen image wherever that colour is.

import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { BACKGROUNDS } from '../messages';
import type { ChromaClientMessage } from '../messages';
import { withNone } from '../../../client/components/choice-list';
import { demoPageStyles } from '../../../client/components/page-styles';
import { loopbackView } from '../../../client/components/loopback-view';
import { LoopbackController } from '../../../client/controllers/loopback';
import '../../../client/components/how-it-works';
import README from '../README.md';
import '../../../client/components/site-header';

const CHOICES = withNone(BACKGROUNDS.map((b) => ({ id: b.id, label: b.label, image: `/assets/${b.file}` })));

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
    const credit = BACKGROUNDS.find((b) => b.id === this.background)?.credit;
    const view = loopbackView(this.call, {
      stateText: STATE_TEXT,
      localLabel: 'Local camera: click the background here',
      remoteLabel: 'Through the ChromaFilter',
      start: () => void this.call.start({ background: this.background }),
      beside: html`<span id="calibrated">
        ${this.call.applied === 'calibrated' ? 'Calibrated: click again to recalibrate.' : ''}
      </span>`,
      controls: html`<stage-choice-list
        name="background"
        .choices=${CHOICES}
        selected=${this.background}
        @choose=${(e: CustomEvent<string>) => this.choose(e.detail)}
      ></stage-choice-list>`,
      footer: html`<p><small id="credit">${credit ?? ''}</small></p>`,
      onLocalClick: (e) => this.calibrate(e),
    });
    return html`${view}<stage-how-it-works .readme=${README}></stage-how-it-works>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'chroma-demo': ChromaDemo;
  }
}
