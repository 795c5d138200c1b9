// One browser's signaling WebSocket for one demo: decodes each frame through the demo's
// codec, answers bad input with a coded `error` message (the socket stays up), limits the
// message rate, and calls the demo's handler one message at a time, in arrival order. The
// platform's own messages (`watchPipeline`) are answered here, beside every demo's.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../logging';
import type { WebSocket } from 'ws';
import { AppError, asAppError } from '../errors';
import { MessageCodec, type MessageOf, type SchemaTable } from './codec';
import { PipelineFeed } from './pipeline-feed';
import { PipelineClientMessages } from './pipeline-messages';
import type { DemoCounters } from './signaling-counters';

const platformCodec = new MessageCodec(PipelineClientMessages);

/** Sustained rate and burst allowed per socket; ICE trickles in bursts of a dozen or so. */
const RATE_PER_SECOND = 50;
const BURST = 100;
/** A client that keeps flooding after being told is disconnected. */
const MAX_REFUSED = 200;
/** WebSocket close code 1008: policy violation. */
const CLOSE_POLICY = 1008;
/**
 * A client that vanished without closing (a laptop lid shut, a network gone) leaves its TCP
 * connection open forever. Pinging finds it: two pings without a pong and the socket is
 * ended, which ends its sessions and frees its name, room seat and pipelines.
 */
export const PING_INTERVAL_MS = 10_000;
const MAX_MISSED_PONGS = 2;

export interface ConnectionHandlers<In> {
  onMessage(message: In): Promise<void> | void;
  onClose(): Promise<void> | void;
  /**
   * Messages that end something (`stop`, `leaveRoom`): handled even when the socket closed
   * while they waited, so a page that says stop and closes at once is recorded as having
   * stopped, not as having vanished. Anything else queued behind a closed socket is dropped.
   */
  finishers?: readonly string[];
}

export class SignalingConnection<T extends SchemaTable, Out extends { id: string }> {
  private readonly socket: WebSocket;
  private readonly codec: MessageCodec<T>;
  readonly log: Logger;
  private tokens = BURST;
  private lastRefill = Date.now();
  private refused = 0;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private missedPongs = 0;
  private pending = 0;
  private readonly maxPending: number;
  private readonly counters: DemoCounters | undefined;
  private pinger: NodeJS.Timeout | undefined;
  /** The pipelines this socket's sessions are in, sent to a page that asks to watch them. */
  readonly pipelines = new PipelineFeed((message) => this.sendRaw(message));

  /**
   * `maxPending`: messages that may wait behind the one being handled (MAX_PENDING_MESSAGES);
   * `counters`: where the messages and errors are counted for the metrics.
   */
  constructor(socket: WebSocket, codec: MessageCodec<T>, log: Logger, maxPending: number, counters?: DemoCounters) {
    this.socket = socket;
    this.codec = codec;
    this.log = log;
    this.maxPending = maxPending;
    this.counters = counters;
  }

  /** A demo's socket as the app opens it: its log, its limits, its counters. */
  static accept<T extends SchemaTable, Out extends { id: string }>(
    app: FastifyInstance,
    demo: string,
    socket: WebSocket,
    request: FastifyRequest,
    codec: MessageCodec<T>,
  ): SignalingConnection<T, Out> {
    const log = request.log.child({ demo });
    return new SignalingConnection<T, Out>(socket, codec, log, app.config.MAX_PENDING_MESSAGES, app.signaling.for(demo));
  }

  /** Starts reading; the handlers see only valid messages, in order. */
  listen(handlers: ConnectionHandlers<MessageOf<T>>): void {
    this.socket.on('pong', () => (this.missedPongs = 0));
    this.pinger = setInterval(() => this.ping(), PING_INTERVAL_MS);
    this.pinger.unref();
    this.socket.on('message', (data, isBinary) => {
      if (!this.take()) return;
      if (isBinary) {
        this.sendError(new AppError('BAD_MESSAGE', 'binary frames are not accepted'));
        return;
      }
      let message: MessageOf<T>;
      try {
        message = this.codec.decode(data.toString());
      } catch (err) {
        if (!this.platformMessage(data.toString())) this.sendError(asAppError(err));
        return;
      }
      this.log.debug({ msg: (message as { id: string }).id }, 'signaling message');
      this.counters?.message();
      // NOTE: the rate limit bounds how fast messages come, this bounds how many wait: a
      // client whose requests are slow (a media server under load) cannot pile up work.
      // `pending` counts the message being handled too: it is not one of those waiting.
      if (this.pending > this.maxPending) {
        this.sendError(
          new AppError(
            'TOO_MANY_PENDING',
            `${this.maxPending} messages are already waiting on this socket (MAX_PENDING_MESSAGES)`,
          ),
        );
        return;
      }
      this.pending++;
      this.queue = this.queue
        // NOTE: work queued behind a slow request is dropped once its socket closed: nobody
        // is there to use what it would build, and the cleanup on close has already run.
        .then(() =>
          this.closed && !handlers.finishers?.includes((message as { id: string }).id) ? undefined : handlers.onMessage(message),
        )
        .catch((err: unknown) => {
          const appError = asAppError(err);
          if (appError.reason === 'INTERNAL') this.log.error({ err }, 'signaling handler failed');
          this.sendError(appError);
        })
        .finally(() => this.pending--);
    });
    this.socket.on('error', (err) => this.log.debug({ err }, 'signaling socket error'));
    this.socket.on('close', (code) => {
      this.closed = true;
      clearInterval(this.pinger);
      this.pipelines.close();
      this.log.debug({ code }, 'signaling socket closed');
      this.queue = this.queue
        .then(() => handlers.onClose())
        .catch((err: unknown) => {
          this.log.error({ err }, 'cleanup after a closed socket failed');
        });
    });
  }

  send(message: Out): void {
    this.sendRaw(message);
  }

  private sendRaw(message: { id: string }): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify(message));
  }

  /** A message of the platform's (not the demo's): handled here; false if it is not one. */
  private platformMessage(frame: string): boolean {
    let message: MessageOf<typeof PipelineClientMessages>;
    try {
      message = platformCodec.decode(frame);
    } catch {
      return false;
    }
    this.pipelines.setWatching(message.watch ?? true);
    return true;
  }

  sendError(error: AppError): void {
    this.counters?.error(error.reason);
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify(error.toMessage()));
  }

  close(code = 1000, reason = ''): void {
    if (!this.closed) this.socket.close(code, reason);
  }

  private ping(): void {
    if (this.missedPongs >= MAX_MISSED_PONGS) {
      this.log.info({ missedPongs: this.missedPongs }, 'signaling client stopped answering pings; ending its socket');
      clearInterval(this.pinger);
      this.socket.terminate();
      return;
    }
    this.missedPongs++;
    this.socket.ping();
  }

  /** Token bucket: false means the message is refused. */
  private take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(BURST, this.tokens + ((now - this.lastRefill) / 1000) * RATE_PER_SECOND);
    this.lastRefill = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.refused++;
    if (this.refused === 1) this.sendError(new AppError('TOO_MANY_MESSAGES'));
    if (this.refused === MAX_REFUSED) {
      this.log.warn('closing a flooding signaling socket');
      this.close(CLOSE_POLICY, 'too many messages');
    }
    return false;
  }
}
