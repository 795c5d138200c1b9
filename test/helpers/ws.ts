// A small WebSocket client for signaling tests: send JSON, await the next message.

import WebSocket from 'ws';

export class TestSocket {
  readonly ws: WebSocket;
  private readonly inbox: unknown[] = [];
  private waiters: ((m: unknown) => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as unknown;
      const waiter = this.waiters.shift();
      if (waiter) waiter(message);
      else this.inbox.push(message);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens a socket; `headers` may set what a browser would send (Origin) or forge (Host). */
  static async open(url: string, headers?: Record<string, string>): Promise<TestSocket> {
    const ws = new WebSocket(url, { headers });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new TestSocket(ws);
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  next<T = Record<string, unknown>>(timeoutMs = 10_000): Promise<T> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued as T);
    return new Promise<T>((resolve, reject) => {
      const waiter = (m: unknown): void => {
        clearTimeout(timer);
        resolve(m as T);
      };
      // A wait that times out gives up its place, so the next message is not lost to it.
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error('no message in time'));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** The HTTP status with which a WebSocket upgrade is refused (0 when it is accepted). */
export async function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return (await upgradeRefusal(url, headers)).status;
}

/** How a WebSocket upgrade is refused: status and body (status 0 when it is accepted). */
export function upgradeRefusal(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.close();
      resolve({ status: 0, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => {
        ws.terminate();
        resolve({ status: res.statusCode ?? -1, body });
      });
    });
    ws.once('error', (err) => reject(err));
  });
}
