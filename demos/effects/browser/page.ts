// Effects: the media server decodes your camera, runs a GStreamer effect on it, and encodes
// it again; pick another effect and it changes live.

import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { EFFECTS } from '../messages';
import type { EffectsClientMessage } from '../messages';
import { withNone } from '../../../client/components/choice-list';
import { demoPageStyles } from '../../../client/components/page-styles';
import { loopbackView } from '../../../client/components/loopback-view';
import { LoopbackController } from '../../../client/controllers/loopback';
import '../../../client/components/how-it-works';
import README from '../README.md';
import '../../../client/components/site-header';

const CHOICES = withNone(EFFECTS.map((e) => ({ id: e.id, label: e.label })));

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
    const command = EFFECTS.find((e) => e.id === this.effect)?.command;
    const view = loopbackView(this.call, {
      stateText: STATE_TEXT,
      remoteLabel: 'Through the GStreamerFilter',
      start: () => void this.call.start({ effect: this.effect }),
      controls: html`<stage-choice-list
          name="effect"
          .choices=${CHOICES}
          selected=${this.effect}
          @choose=${(e: CustomEvent<string>) => this.choose(e.detail)}
        ></stage-choice-list>
        <p>
          <small>GStreamerFilter command: <code id="command">${command ?? '(none: straight back)'}</code></small>
        </p>`,
    });
    return html`${view}<stage-how-it-works .readme=${README}></stage-how-it-works>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'effects-demo': EffectsDemo;
  }
}
