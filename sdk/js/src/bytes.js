// A growable byte buffer with a consumed prefix: what the chunk-safe readers keep between chunks.

export class ByteBuffer {
  constructor() {
    this.bytes = new Uint8Array(0);
    this.start = 0;
    this.end = 0;
  }

  /** The bytes not yet consumed (a view: valid until the next `append` or `consume`). */
  view() {
    return this.bytes.subarray(this.start, this.end);
  }

  get length() {
    return this.end - this.start;
  }

  /** @param {Uint8Array} chunk */
  append(chunk) {
    if (chunk.length === 0) return;
    if (this.end + chunk.length > this.bytes.length) {
      const live = this.end - this.start;
      const needed = live + chunk.length;
      // Move the live bytes to the front; grow only when they no longer fit.
      if (needed > this.bytes.length) {
        const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2));
        grown.set(this.bytes.subarray(this.start, this.end));
        this.bytes = grown;
      } else {
        this.bytes.copyWithin(0, this.start, this.end);
      }
      this.start = 0;
      this.end = live;
    }
    this.bytes.set(chunk, this.end);
    this.end += chunk.length;
  }

  /** Drops the first `n` unconsumed bytes. */
  consume(n) {
    this.start += n;
    if (this.start === this.end) {
      this.start = 0;
      this.end = 0;
    }
  }
}
