// The recording page: choose what to record (audio and video, video only, audio only),
// record with pause and resume, stop, then play the file back from the repository.

import { LitElement, html } from 'lit';
import { customElement, state } from 'lit/decorators.js';
import { demoPageStyles } from '../../../client/components/page-styles';
import '../../../client/components/stats-panel';
import '../../../client/components/status-banner';
import '../../../client/components/video-tile';
import { RecordingController, type RecordingMode } from './controller';
import '../../../client/components/how-it-works';
import README from '../README.md';
import '../../../client/components/rec-indicator';
import '../../../client/components/site-header';

const STATE_TEXT = {
  idle: 'Press Record to record your camera into the media repository.',
  starting: 'Connecting; recording begins when media reaches the media server…',
  recording: 'Recording.',
  paused: 'Paused: nothing is being written.',
  stopping: 'Finishing the file…',
  playing: 'Playing the recording back from the media server.',
} as const;

@customElement('recording-demo')
export class RecordingDemo extends LitElement {
  static override styles = demoPageStyles;

  readonly call = new RecordingController(this);
  @state() private mode: RecordingMode = 'both';

  protected override render() {
    const c = this.call;
    const idle = c.state === 'idle';
    return html`
      <div class="row">
        <select
          id="mode"
          aria-label="What to record"
          .value=${this.mode}
          ?disabled=${!idle}
          @change=${(e: Event) => (this.mode = (e.target as HTMLSelectElement).value as RecordingMode)}
        >
          <option value="both">Audio and video</option>
          <option value="video-only">Video only</option>
          <option value="audio-only">Audio only</option>
        </select>
        <button id="record" @click=${() => void c.record(this.mode)} ?disabled=${!idle}>Record</button>
        <button id="pause" @click=${() => c.pause()} ?disabled=${c.state !== 'recording'}>Pause</button>
        <button id="resume" @click=${() => c.resume()} ?disabled=${c.state !== 'paused'}>Resume</button>
        <button id="stop" @click=${() => c.stop()} ?disabled=${idle || c.state === 'stopping'}>Stop</button>
        <button id="play" @click=${() => void c.play()} ?disabled=${!idle || !c.recordingId}>Play</button>
      </div>
      ${
        c.state === 'recording' || c.state === 'paused'
          ? html`<p><stage-rec ?paused=${c.state === 'paused'}></stage-rec></p>`
          : ''
      }
      <stage-status .state=${STATE_TEXT[c.state]} .error=${c.error}></stage-status>
      ${
        c.recordingId
          ? html`<p id="saved">
              Saved as recording <code>${c.recordingId}</code>:
              <a href="/recordings.html#${c.recordingId}">see it in the recordings</a>.
            </p>`
          : ''
      }
      <div class="videos">
        <stage-video-tile label="Local camera" video-id="local" muted .stream=${c.localStream}></stage-video-tile>
        <stage-video-tile
          label=${c.state === 'playing' ? 'Playback' : 'Through the media server'}
          video-id="remote"
          .stats=${c.stats.at(-1)}
          .stream=${c.remoteStream}
        ></stage-video-tile>
      </div>
      <stage-stats mode="both" .samples=${c.stats}></stage-stats>
      <stage-how-it-works .readme=${README}></stage-how-it-works>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'recording-demo': RecordingDemo;
  }
}
