// The controls every call page has for its own media: microphone and camera on and off, and
// which microphone and camera to use (switched mid-call, without a new offer). It acts on the
// page's sending PeerSession and fires `media-change` so the page can redraw its own tile.

import { LitElement, css, html } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { PeerSession } from '../controllers/peer';
import { controlStyles } from './page-styles';

export interface MediaState {
  audio: boolean;
  video: boolean;
}

@customElement('stage-call-controls')
export class CallControls extends LitElement {
  static override styles = [
    controlStyles,
    css`
      :host {
        display: flex;
        flex-wrap: wrap;
        gap: 8px;
        align-items: center;
        margin: 8px 0;
      }
      button {
        font-weight: 600;
        cursor: pointer;
      }
      button[aria-pressed='true'] {
        border-color: var(--stage-danger, #a4161a);
        color: var(--stage-danger, #a4161a);
      }
      select {
        flex: 0 1 220px;
        min-width: 0;
      }
    `,
  ];

  /** The connection that sends this page's camera; none disables the controls. */
  @property({ attribute: false }) peer: PeerSession | undefined;
  @state() private devices: MediaDeviceInfo[] = [];

  private readonly refreshDevices = (): void => {
    void navigator.mediaDevices.enumerateDevices().then((d) => (this.devices = d));
  };

  override connectedCallback(): void {
    super.connectedCallback();
    navigator.mediaDevices.addEventListener('devicechange', this.refreshDevices);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    navigator.mediaDevices.removeEventListener('devicechange', this.refreshDevices);
  }

  protected override updated(changed: Map<string, unknown>): void {
    // Device labels are only readable once the page has the camera: list them then.
    if (changed.has('peer') && this.peer) this.refreshDevices();
  }

  /** What the page sends now. */
  get media(): MediaState {
    return { audio: this.peer?.isEnabled('audio') ?? false, video: this.peer?.isEnabled('video') ?? false };
  }

  private toggle(kind: 'audio' | 'video'): void {
    this.peer?.setEnabled(kind, !this.peer.isEnabled(kind));
    this.changed();
  }

  private async choose(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    await this.peer?.useDevice(kind, deviceId);
    this.changed();
  }

  private changed(): void {
    this.requestUpdate();
    this.dispatchEvent(new CustomEvent<MediaState>('media-change', { detail: this.media, bubbles: true, composed: true }));
  }

  protected override render() {
    const peer = this.peer;
    const { audio, video } = this.media;
    const picker = (kind: 'audio' | 'video', label: string) => {
      const list = this.devices.filter((d) => d.kind === `${kind}input`);
      return html`<select
        id="${kind}-device"
        aria-label=${label}
        ?disabled=${!peer || list.length < 2}
        @change=${(e: Event) => void this.choose(kind, (e.target as HTMLSelectElement).value)}
      >
        ${list.length === 0 ? html`<option>${label}</option>` : ''}
        ${list.map(
          (d, i) =>
            html`<option value=${d.deviceId} ?selected=${d.deviceId === peer?.deviceOf(kind)}>
              ${d.label || `${label} ${i + 1}`}
            </option>`,
        )}
      </select>`;
    };
    return html`<button
        id="toggle-audio"
        aria-pressed=${peer ? !audio : false}
        ?disabled=${!peer}
        @click=${() => this.toggle('audio')}
      >
        ${peer && !audio ? 'Unmute microphone' : 'Mute microphone'}
      </button>
      <button id="toggle-video" aria-pressed=${peer ? !video : false} ?disabled=${!peer} @click=${() => this.toggle('video')}>
        ${peer && !video ? 'Turn camera on' : 'Turn camera off'}
      </button>
      ${picker('audio', 'Microphone')} ${picker('video', 'Camera')}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'stage-call-controls': CallControls;
  }
}
