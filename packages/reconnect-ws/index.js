// @ts-check
// Kurento Stage's drop-in for `reconnect-ws`, the module kurento-client uses for its
// WebSocket to the media server. The published one pulls websocket-stream with ws@0.x from
// a git URL, and crashes the whole process with an uncaught ECONNREFUSED when the media
// server is unreachable. This one keeps the API kurento-client relies on:
//   reconnect(opts, onConnect).connect(uri, socketOptions) -> emitter
//   emitter.connected, emitter.reconnect (set false to stop), emitter.disconnect(), reset()
//   events: connect, connection (stream), disconnect (err), backoff (n, delay),
//           reconnect (n, delay), fail (err), error (err, only if someone listens)
// and hands kurento-jsonrpc a stream with write() and 'data' events, on a maintained ws.
'use strict';

const { EventEmitter } = require('node:events');
const WebSocket = require('ws');

/** The per-connection duplex that kurento-jsonrpc reads ('data') and writes (write()). */
class WsStream extends EventEmitter {
  /** @param {WebSocket} ws */
  constructor(ws) {
    super();
    this.ws = ws;
    this.writable = true;
    this.readable = true;
    ws.on('message', (data, isBinary) => {
      this.emit('data', isBinary ? data : data.toString());
    });
  }

  /** @param {string | Buffer} chunk */
  write(chunk) {
    // NOTE: a request written while the socket is down is dropped, not thrown: kurento-jsonrpc
    // times it out and the caller sees an error, instead of the process seeing an exception.
    if (!this.writable || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(typeof chunk === 'string' ? chunk : chunk.toString());
    return true;
  }

  end() {
    this.writable = false;
    this.ws.close();
  }

  destroy() {
    this.writable = false;
    this.ws.terminate();
  }
}

class Reconnector extends EventEmitter {
  /**
   * @param {{initialDelay?: number, maxDelay?: number, failAfter?: number, immediate?: boolean, strategy?: string, type?: string}} opts
   */
  constructor(opts) {
    super();
    this.initialDelay = opts.initialDelay ?? 500;
    this.maxDelay = opts.maxDelay ?? 5000;
    this.failAfter = opts.failAfter ?? Infinity;
    this.connected = false;
    this.reconnect = true;
    /** @type {WebSocket | undefined} */
    this._ws = undefined;
    /** @type {NodeJS.Timeout | undefined} */
    this._timer = undefined;
    this._attempts = 0;
    /** @type {[string, WebSocket.ClientOptions | undefined] | undefined} */
    this._args = undefined;
  }

  /**
   * @param {string} uri
   * @param {WebSocket.ClientOptions} [socketOptions]
   */
  connect(uri, socketOptions) {
    this._args = [uri, socketOptions];
    this.reconnect = true;
    this._open();
    return this;
  }

  /** Stops reconnecting and closes the current socket. */
  disconnect() {
    this.reconnect = false;
    clearTimeout(this._timer);
    this._timer = undefined;
    const ws = this._ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) ws.close();
    return this;
  }

  reset() {
    this._attempts = 0;
  }

  _open() {
    if (!this._args) return;
    const [uri, socketOptions] = this._args;
    /** @type {WebSocket} */
    let ws;
    try {
      ws = new WebSocket(uri, socketOptions);
    } catch (err) {
      this._emitError(err);
      this._scheduleRetry(err);
      return;
    }
    this._ws = ws;
    /** @type {unknown} */
    let lastError;
    ws.on('error', (err) => {
      lastError = err;
      this._emitError(err);
    });
    ws.on('open', () => {
      if (!this.reconnect) {
        ws.close();
        return;
      }
      this._attempts = 0;
      this.connected = true;
      const stream = new WsStream(ws);
      this.emit('connect', stream);
      this.emit('connection', stream);
    });
    ws.on('close', () => {
      const wasConnected = this.connected;
      this.connected = false;
      if (this._ws === ws) this._ws = undefined;
      if (wasConnected) this.emit('disconnect', lastError);
      this._scheduleRetry(lastError);
    });
  }

  /** @param {unknown} err */
  _scheduleRetry(err) {
    if (!this.reconnect || this._timer) return;
    if (this._attempts >= this.failAfter) {
      this.reconnect = false;
      this.emit('fail', err);
      return;
    }
    const n = this._attempts++;
    const delay = Math.min(this.maxDelay, this.initialDelay * 2 ** n);
    this.emit('backoff', n, delay, err);
    this._timer = setTimeout(() => {
      this._timer = undefined;
      if (!this.reconnect) return;
      this.emit('reconnect', n, delay);
      this._open();
    }, delay);
  }

  /** @param {unknown} err */
  _emitError(err) {
    // An unheard 'error' would throw; kurento-client does not listen, so stay quiet then.
    if (this.listenerCount('error') > 0) this.emit('error', err);
  }
}

/**
 * @param {ConstructorParameters<typeof Reconnector>[0] | ((stream: WsStream) => void)} [opts]
 * @param {(stream: WsStream) => void} [onConnect]
 */
function reconnect(opts, onConnect) {
  if (typeof opts === 'function') {
    onConnect = opts;
    opts = {};
  }
  const re = new Reconnector(opts ?? {});
  if (onConnect) re.on('connection', onConnect);
  return re;
}

module.exports = reconnect;
module.exports.Reconnector = Reconnector;
module.exports.WsStream = WsStream;
