// The file in a multipart/form-data upload, as KMS's KmsHttpPost takes it from an HTML form:
// the content of the first part that carries a filename, streamed as it arrives, without
// keeping the upload in memory. Other parts (form fields) are skipped; what follows the file
// is ignored.

import { Transform, type TransformCallback } from 'node:stream';

/** A part's headers larger than this are no form's: the upload is refused. */
const MAX_HEADER_BYTES = 16 * 1024;

type State = 'preamble' | 'headers' | 'file' | 'skip' | 'done';

export class MultipartFile extends Transform {
  private readonly opening: Buffer;
  private readonly delimiter: Buffer;
  private readonly headerEnd = Buffer.from('\r\n\r\n');
  private pending: Buffer = Buffer.alloc(0);
  private state: State = 'preamble';

  constructor(boundary: string) {
    super();
    this.opening = Buffer.from(`--${boundary}`);
    this.delimiter = Buffer.from(`\r\n--${boundary}`);
  }

  /** The boundary of a multipart/form-data Content-Type, if it is one. */
  static boundaryOf(contentType: string): string | undefined {
    if (!/^multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
    const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    return match?.[1] ?? match?.[2];
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    try {
      while (this.step());
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    // An upload cut short ends the file where it was cut.
    if (this.state === 'file' && this.pending.length > 0) this.push(this.pending);
    this.pending = Buffer.alloc(0);
    done();
  }

  /** Moves on as far as the bytes at hand allow; true if it can go on. */
  private step(): boolean {
    switch (this.state) {
      case 'preamble': {
        const at = this.pending.indexOf(this.opening);
        if (at < 0) {
          this.keepTail(this.opening.length - 1);
          return false;
        }
        return this.afterDelimiter(at + this.opening.length);
      }
      case 'headers': {
        const at = this.pending.indexOf(this.headerEnd);
        if (at < 0) {
          if (this.pending.length > MAX_HEADER_BYTES) throw new Error('a multipart part has oversized headers');
          return false;
        }
        const headers = this.pending.subarray(0, at).toString('latin1');
        this.state = /content-disposition:[^\r\n]*filename=/i.test(headers) ? 'file' : 'skip';
        this.pending = this.pending.subarray(at + this.headerEnd.length);
        return true;
      }
      case 'file':
      case 'skip': {
        const at = this.pending.indexOf(this.delimiter);
        if (at < 0) {
          const keep = this.delimiter.length - 1;
          if (this.state === 'file' && this.pending.length > keep) {
            this.push(this.pending.subarray(0, this.pending.length - keep));
          }
          this.keepTail(keep);
          return false;
        }
        if (this.state === 'file') {
          this.push(this.pending.subarray(0, at));
          this.state = 'done';
          this.pending = Buffer.alloc(0);
          return false;
        }
        return this.afterDelimiter(at + this.delimiter.length);
      }
      case 'done':
        this.pending = Buffer.alloc(0);
        return false;
    }
  }

  /** After a boundary: "--" ends the body; otherwise the line ends and a part's headers follow. */
  private afterDelimiter(end: number): boolean {
    if (this.pending.length < end + 2) {
      this.pending = this.pending.subarray(end - this.opening.length);
      this.state = 'preamble';
      return false;
    }
    if (this.pending[end] === 0x2d && this.pending[end + 1] === 0x2d) {
      this.state = 'done';
      this.pending = Buffer.alloc(0);
      return false;
    }
    const lineEnd = this.pending.indexOf('\r\n', end);
    if (lineEnd < 0) {
      this.pending = this.pending.subarray(end - this.opening.length);
      this.state = 'preamble';
      return false;
    }
    this.pending = this.pending.subarray(lineEnd + 2);
    this.state = 'headers';
    return true;
  }

  private keepTail(bytes: number): void {
    if (this.pending.length > bytes) this.pending = this.pending.subarray(this.pending.length - bytes);
  }
}
