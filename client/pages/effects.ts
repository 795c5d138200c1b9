// Effects: the media server decodes your camera, runs a GStreamer effect on it, and encodes
// it again; pick another effect and it changes live.

import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { EFFECTS, NONE } from '../../server/demos/filters/catalog';
import type { EffectsClientMessage } from '../../server/signaling/protocol/filters';
import '../components/choice-list';
import { demoPageStyles } from '../components/page-styles';
import '../components/stats-panel';
import '../components/status-banner';
import '../components/video-tile';
import { LoopbackController } from '../controllers/hello-world';

const CHOICES = [...EFFECTS.map((e) => ({ id: e.id, label: e.label })), { id: NONE, label: 'None' }];

const STATE_TEXT = {
  idle: 'Press Start, then pick an effect.',
  starting: 'Connecting to the media server…',
  connected: 'Connected: the right-hand video goes through the chosen GStreamer effect.',
  stopping: 'Stopping…',
} as const;

@customElement('effects-demo')
export class EffectsDemo extends LitElement {
  static override styles = demoPageStyles;

  private readonly call = new LoopbackController<EffectsClientMessage>(this, '/effects');
  @state() private effect = EFFECTS[0]!.id;

  private choose(effect: string): void {
    this.effect = effect;
    this.call.send({ id: 'effect', effect });
  }

  protected override render() {
    const c = this.call;
    const command = EFFECTS.find((e) => e.id === this.effect)?.command;
    return html`
      <div class="row">
        <button id="start" @click=${() => void c.start({ effect: this.effect })} ?disabled=${c.state !== 'idle'}>Start</button>
        <button id="stop" @click=${() => c.stop()} ?disabled=${c.state === 'idle'}>Stop</button>
      </div>
      <stage-choice-list
        name="effect"
        .choices=${CHOICES}
        selected=${this.effect}
        @choose=${(e: CustomEvent<string>) => this.choose(e.detail)}
      ></stage-choice-list>
      <p>
        <small>GStreamerFilter command: <code id="command">${command ?? '(none: straight back)'}</code></small>
      </p>
      <stage-status .state=${`${STATE_TEXT[c.state]} (connection: ${c.connection})`} .error=${c.error}></stage-status>
      <div class="videos">
        <stage-video-tile label="Local camera" video-id="local" muted .stream=${c.localStream}></stage-video-tile>
        <stage-video-tile
          label="Through the GStreamerFilter"
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
    'effects-demo': EffectsDemo;
  }
}
