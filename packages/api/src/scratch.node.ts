// The scratch buffer on Node.js: a Buffer, whose native base64url, UTF-8 and Latin-1 codecs are the
// fastest way there to decode a token without allocating per token.
import { Buffer } from 'node:buffer';
import type { ScratchBuffer } from './runtime-layer.ts';

class NodeScratchBuffer implements ScratchBuffer {
  readonly bytes: Buffer;

  constructor(size: number) {
    this.bytes = Buffer.allocUnsafeSlow(size);
  }

  // Node's decoder is lenient (it skips unknown characters, stops at `=`, accepts `+` and `/`): the
  // caller's canonical-length and alphabet checks refuse what it lets through.
  decodeBase64url(segment: string, offset: number): number {
    return segment.length === 0 ? 0 : this.bytes.write(segment, offset, 'base64url');
  }

  text(start: number, end: number): string {
    return this.bytes.toString('utf8', start, end);
  }

  writeLatin1(text: string, length: number): number {
    return this.bytes.write(text, 0, length, 'latin1');
  }
}

/** A scratch buffer of `size` bytes. */
export function createScratchBuffer(size: number): ScratchBuffer {
  return new NodeScratchBuffer(size);
}
