// The scratch buffer with web-standard APIs only (Uint8Array, TextDecoder): for runtimes without
// Node's Buffer, such as Cloudflare Workers.
import type { ScratchBuffer } from './runtime-layer.ts';

// The 6-bit value of each base64url character (RFC 4648 §5), -1 for every other ASCII character.
const sextets = new Int8Array(128).fill(-1);
const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
for (let index = 0; index < alphabet.length; index++) sextets[alphabet.charCodeAt(index)] = index;

function sextet(segment: string, index: number): number {
  const code = segment.charCodeAt(index);
  return code < 128 ? (sextets[code] ?? -1) : -1;
}

const utf8 = new TextDecoder();

class WebScratchBuffer implements ScratchBuffer {
  readonly bytes: Uint8Array;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }

  // Strict: any character outside the base64url alphabet (padding included) answers -1, which no
  // segment length implies, so the caller refuses the segment.
  decodeBase64url(segment: string, offset: number): number {
    const { bytes } = this;
    const length = segment.length;
    const whole = length - (length & 3);
    let at = offset;
    for (let index = 0; index < whole; index += 4) {
      const bits =
        (sextet(segment, index) << 18) |
        (sextet(segment, index + 1) << 12) |
        (sextet(segment, index + 2) << 6) |
        sextet(segment, index + 3);
      if (bits < 0) return -1;
      bytes[at++] = bits >> 16;
      bytes[at++] = (bits >> 8) & 0xff;
      bytes[at++] = bits & 0xff;
    }
    const rest = length - whole;
    if (rest === 1) return -1;
    if (rest > 1) {
      const first = sextet(segment, whole);
      const second = sextet(segment, whole + 1);
      const third = rest === 3 ? sextet(segment, whole + 2) : 0;
      if ((first | second | third) < 0) return -1;
      bytes[at++] = (first << 2) | (second >> 4);
      if (rest === 3) bytes[at++] = ((second & 0x0f) << 4) | (third >> 2);
    }
    return at - offset;
  }

  text(start: number, end: number): string {
    return utf8.decode(this.bytes.subarray(start, end));
  }

  writeLatin1(text: string, length: number): number {
    const { bytes } = this;
    for (let index = 0; index < length; index++) bytes[index] = text.charCodeAt(index);
    return length;
  }
}

/** A scratch buffer of `size` bytes. */
export function createScratchBuffer(size: number): ScratchBuffer {
  return new WebScratchBuffer(size);
}
