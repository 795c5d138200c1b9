// A demo's signaling WebSocket, typed by the demo's message unions. It opens on the same
// host as the page (ws: or wss: to match), parses every frame, and reports closes and
// server errors as events so the page can show them in words. It also asks the server for
// the live pipeline behind the page (the platform's `watchPipeline`) and hands what comes
// back to the window as PIPELINES_EVENT, for the "How it works" panel: the demo's own
// controller never sees those messages.

import type { PipelineSnapshot, PipelinesMessage } from '../../server/signaling/pipeline-messages';

export const PIPELINES_EVENT = 'stage-pipelines';
export interface PipelinesEventDetail {
  pipelines: PipelineSnapshot[];
}

function announcePipelines(pipelines: PipelineSnapshot[]): void {
  window.dispatchEvent(new CustomEvent<PipelinesEventDetail>(PIPELINES_EVENT, { detail: { pipelines } }));
}

export interface SignalingEvents<In> {
  message: (message: In) => void;
  close: (reason: string) => void;
}

export class SignalingClient<Out extends { id: string }, In extends { id: string }> {
  private readonly socket: WebSocket;
  private readonly opened: Promise<void>;
  private readonly messageListeners: SignalingEvents<In>['message'][] = [];
  private readonly closeListeners: SignalingEvents<In>['close'][] = [];
  private closedByUs = false;

  constructor(path: string) {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    this.socket = new WebSocket(`${scheme}//${location.host}${path}`);
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener(
        'open',
        () => {
          this.socket.send(JSON.stringify({ id: 'watchPipeline' }));
          resolve();
        },
        { once: true },
      );
      this.socket.addEventListener('error', () => reject(new Error('Could not reach the signaling server')), { once: true });
    });
    this.socket.addEventListener('message', (event) => {
      let message: In;
      try {
        message = JSON.parse(String(event.data)) as In;
      } catch {
        return;
      }
      if ((message as { id: string }).id === 'pipelines') {
        announcePipelines((message as unknown as PipelinesMessage).pipelines);
        return;
      }
      for (const fn of this.messageListeners) fn(message);
    });
    this.socket.addEventListener('close', (event) => {
      announcePipelines([]);
      if (this.closedByUs) return;
      const reason = event.reason || (event.code === 1009 ? 'a message was too large' : 'the connection to the server closed');
      for (const fn of this.closeListeners) fn(reason);
    });
  }

  on(event: 'message', fn: SignalingEvents<In>['message']): void;
  on(event: 'close', fn: SignalingEvents<In>['close']): void;
  on(event: keyof SignalingEvents<In>, fn: SignalingEvents<In>[keyof SignalingEvents<In>]): void {
    if (event === 'message') this.messageListeners.push(fn as SignalingEvents<In>['message']);
    else this.closeListeners.push(fn as SignalingEvents<In>['close']);
  }

  async send(message: Out): Promise<void> {
    // NOTE: an open socket sends at once, so a `stop` followed by close() goes out before the
    // close frame; waiting for `opened` first would let close() win and lose the stop.
    if (this.socket.readyState !== WebSocket.OPEN) await this.opened;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  close(): void {
    this.closedByUs = true;
    this.socket.close();
  }
}
