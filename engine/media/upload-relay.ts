// What an HttpPostEndpoint's GStreamer helper reads: the upload being received, served once
// on a loopback address with a secret path, as it arrives. The helper reads it at the pace
// it plays, so the uploader is held back by TCP rather than the upload piling up in memory.
// The stream is not seekable: no length, no ranges.

import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';

export class UploadRelay {
  private readonly server: Server;
  private readonly path = `/${randomBytes(16).toString('hex')}`;
  private served = false;

  private constructor(body: Readable, contentType: string) {
    this.server = createServer((req, res) => {
      if (req.url !== this.path || req.method !== 'GET' || this.served) {
        res.writeHead(404).end();
        return;
      }
      this.served = true;
      res.writeHead(200, { 'content-type': contentType });
      body.pipe(res);
      body.on('error', () => res.destroy());
      // The helper gone mid-stream: what is left of the upload is not for this response.
      res.on('error', () => undefined);
      res.on('close', () => body.unpipe(res));
    });
  }

  static async open(body: Readable, contentType: string): Promise<UploadRelay> {
    const relay = new UploadRelay(body, contentType);
    await new Promise<void>((resolve, reject) => {
      relay.server.once('error', reject);
      relay.server.listen(0, '127.0.0.1', () => resolve());
    });
    return relay;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${this.path}`;
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}
