import { describe, expect, it } from 'vitest';
import { jpegSize } from './jpeg-size';

/** SOI, an APP0 segment, SOF0 for `width`x`height`, EOI. */
function jpegHeader(width: number, height: number, sof = 0xc0): Uint8Array {
  return Uint8Array.from([
    0xff,
    0xd8,
    0xff,
    0xe0,
    0x00,
    0x06,
    0x4a,
    0x46,
    0x49,
    0x46,
    0xff,
    sof,
    0x00,
    0x0b,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x01,
    0x01,
    0x11,
    0x00,
    0xff,
    0xd9,
  ]);
}

describe('jpegSize', () => {
  it('reads width and height from baseline and progressive frame headers', () => {
    expect(jpegSize(jpegHeader(320, 180))).toEqual({ width: 320, height: 180 });
    expect(jpegSize(jpegHeader(177, 100, 0xc2))).toEqual({ width: 177, height: 100 });
  });

  it('is not fooled by a Huffman table marker or non-JPEG data', () => {
    const withDht = jpegHeader(64, 48);
    withDht[11] = 0xc4; // the frame marker becomes a DHT segment: no frame header left
    expect(jpegSize(withDht)).toBeNull();
    expect(jpegSize(Buffer.from('iVBORw0KGgo=', 'base64'))).toBeNull();
    expect(jpegSize(new Uint8Array())).toBeNull();
  });
});
