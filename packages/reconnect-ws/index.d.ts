import { EventEmitter } from 'node:events';
import type { ClientOptions } from 'ws';

export interface ReconnectOptions {
  /** First retry delay in ms (default 500); doubles each attempt. */
  initialDelay?: number;
  /** Longest retry delay in ms (default 5000). */
  maxDelay?: number;
  /** Give up and emit 'fail' after this many failed attempts (default Infinity). */
  failAfter?: number;
}

export declare class WsStream extends EventEmitter {
  writable: boolean;
  write(chunk: string | Buffer): boolean;
  end(): void;
  destroy(): void;
}

export declare class Reconnector extends EventEmitter {
  connected: boolean;
  reconnect: boolean;
  connect(uri: string, socketOptions?: ClientOptions): this;
  disconnect(): this;
  reset(): void;
}

declare function reconnect(opts?: ReconnectOptions, onConnect?: (stream: WsStream) => void): Reconnector;
export default reconnect;
