/**
 * Framing between the harness and the fork server (see sandbox/server/forkserver.py): an ASCII header
 * line `KIND [ARG] <length>\n` followed by exactly `length` bytes. Length-prefixed so that no byte of a
 * sample's code or output can be mistaken for a frame boundary.
 */
export function encodeFrame(kind: string, body: Buffer | string): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return Buffer.concat([Buffer.from(`${kind} ${b.length}\n`, 'ascii'), b]);
}

export interface Frame {
  /** Header words before the length, e.g. ['V', nonce]. */
  head: string[];
  body: Buffer;
}

export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);
  constructor(private readonly maxBody = 64 * 1024 * 1024) {}

  /** Feeds bytes; returns the frames completed by them. Throws on a malformed header. */
  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: Frame[] = [];
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl === -1) {
        if (this.buf.length > 256) throw new Error('fork server protocol: header too long');
        return out;
      }
      const words = this.buf.subarray(0, nl).toString('ascii').split(' ');
      const len = Number(words.pop());
      if (!Number.isInteger(len) || len < 0 || len > this.maxBody || words.length === 0) {
        throw new Error(`fork server protocol: bad header ${JSON.stringify(this.buf.subarray(0, Math.min(nl, 80)).toString('latin1'))}`);
      }
      if (this.buf.length < nl + 1 + len) return out;
      out.push({ head: words, body: Buffer.from(this.buf.subarray(nl + 1, nl + 1 + len)) });
      this.buf = this.buf.subarray(nl + 1 + len);
    }
  }
}
