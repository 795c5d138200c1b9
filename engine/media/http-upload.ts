// A recording sent to an http(s) URI while it is made, as KMS's RecorderEndpoint does it: one
// POST with chunked transfer encoding, each piece of the file written as it is produced, and
// the request ended when the recording stops. A receiver that refuses, fails or cannot keep
// up ends the upload; the recorder reports it with an Error event.

import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isPublicAddress, UrlRefused, type UrlPolicy } from '../../packages/url-policy';

/** What may wait in memory for a slow receiver before the upload gives up. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** How long the receiver may take to answer once the recording ended. */
const FINISH_TIMEOUT_MS = 15_000;

export class HttpUpload {
  private readonly request: ClientRequest;
  private failure: Error | undefined;
  private readonly answered: Promise<void>;

  constructor(
    readonly uri: string,
    contentType: string,
    policy: UrlPolicy,
    private readonly onFailure: (err: Error) => void,
  ) {
    const url = new URL(uri);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    this.request = send(url, {
      method: 'POST',
      headers: { 'content-type': contentType, 'transfer-encoding': 'chunked' },
      // NOTE: as KMS's libsoup upload does, any certificate is accepted.
      rejectUnauthorized: false,
      // The URL policy: names are checked as they resolve, for the connection itself.
      lookup: guardedLookup(policy),
    });
    // An address written as such is never looked up: it is checked here.
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (isIP(host) && !policy.allowPrivate && !isPublicAddress(host)) {
      this.request.destroy(new UrlRefused(`${host} is a loopback, private or reserved address`));
    }
    this.answered = new Promise<void>((resolve, reject) => {
      this.request.on('response', (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`the receiver answered HTTP ${status}`));
      });
      // NOTE: a refusal by the URL policy says no more than that, whatever the reason.
      this.request.on('error', (err) => reject(err instanceof UrlRefused ? new Error('could not reach the URL') : err));
    });
    // A failure is reported once, when it happens; `finish` reports it again to its caller.
    this.answered.catch((err: Error) => this.fail(err));
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  write(bytes: Buffer): void {
    if (this.failure) return;
    if (this.request.writableLength + bytes.length > MAX_BUFFERED_BYTES) {
      this.fail(new Error(`the receiver did not keep up (${MAX_BUFFERED_BYTES} bytes waiting)`));
      return;
    }
    this.request.write(bytes);
  }

  /** Ends the request and waits for the receiver's answer; a failure goes to `onFailure`. */
  async finish(): Promise<void> {
    if (this.failure) return;
    this.request.end();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer ${FINISH_TIMEOUT_MS} ms after the upload ended`)), FINISH_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.answered, timeout]);
    } catch (err) {
      this.fail(err as Error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops at once: the recorder was released or failed. */
  abort(): void {
    this.request.destroy();
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.request.destroy();
    this.onFailure(err);
  }
}
