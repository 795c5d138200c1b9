// A webhook receiver on loopback for tests: it records each request (headers and JSON body)
// and answers with the status the test chose for that request, in arrival order (200 once
// the list runs out).

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { id: string; event: string; timestamp: string; data: Record<string, unknown> };
  /** The status it was answered with. */
  status: number;
}

export class WebhookReceiver {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly received: Received[],
  ) {}

  /** `statuses`: how to answer the first requests, in order. */
  static async start(statuses: number[] = []): Promise<WebhookReceiver> {
    const answers = [...statuses];
    const received: Received[] = [];
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const raw = Buffer.concat(chunks).toString();
        const status = answers.shift() ?? 200;
        received.push({ headers: request.headers, raw, body: JSON.parse(raw) as Received['body'], status });
        response.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const { port } = server.address() as AddressInfo;
    return new WebhookReceiver(server, `http://127.0.0.1:${port}/hooks`, received);
  }

  /** What was accepted (2xx), in order: each event once. */
  get accepted(): Received[] {
    return this.received.filter((r) => r.status < 300);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}
