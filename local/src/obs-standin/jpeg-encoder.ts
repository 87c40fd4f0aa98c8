// A small baseline JPEG encoder (JFIF, YCbCr 4:4:4, the standard Huffman tables of ITU T.81
// Annex K, IJG quality scaling), so that the OBS stand-in can answer GetSourceScreenshot with
// a real JPEG without an image library. Speed is no concern: a 320x180 frame is ~2,700
// blocks.

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20,
  13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52,
  45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];

// Annex K.1, in natural (row-major) order.
const LUMA_QUANT = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113,
  92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_QUANT = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99,
  47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];

// Annex K.3: code lengths (counts per length 1..16) and values.
const DC_LUMA_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_LUMA_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const DC_CHROMA_BITS = [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0];
const DC_CHROMA_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const AC_LUMA_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
const AC_LUMA_VALUES = [
  0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07,
  0x22, 0x71, 0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0,
  0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28,
  0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49,
  0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69,
  0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89,
  0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
  0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5,
  0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
  0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
  0xf9, 0xfa,
];
const AC_CHROMA_BITS = [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77];
const AC_CHROMA_VALUES = [
  0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12, 0x41, 0x51, 0x07, 0x61, 0x71,
  0x13, 0x22, 0x32, 0x81, 0x08, 0x14, 0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0,
  0x15, 0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1, 0x17, 0x18, 0x19, 0x1a, 0x26,
  0x27, 0x28, 0x29, 0x2a, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48,
  0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68,
  0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87,
  0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
  0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
  0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda,
  0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8,
  0xf9, 0xfa,
];

interface HuffmanTable {
  /** value → [code, length] */
  codes: Map<number, readonly [number, number]>;
  bits: number[];
  values: number[];
}

function huffmanTable(bits: number[], values: number[]): HuffmanTable {
  const codes = new Map<number, readonly [number, number]>();
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length += 1) {
    const count = bits[length - 1] ?? 0;
    for (let i = 0; i < count; i += 1) codes.set(values[index++] as number, [code++, length]);
    code <<= 1;
  }
  return { codes, bits, values };
}

const DC_LUMA = huffmanTable(DC_LUMA_BITS, DC_LUMA_VALUES);
const DC_CHROMA = huffmanTable(DC_CHROMA_BITS, DC_CHROMA_VALUES);
const AC_LUMA = huffmanTable(AC_LUMA_BITS, AC_LUMA_VALUES);
const AC_CHROMA = huffmanTable(AC_CHROMA_BITS, AC_CHROMA_VALUES);

/** cos((2x+1)uπ/16), indexed [u*8+x]. */
const COS = Array.from({ length: 64 }, (_, i) =>
  Math.cos(((2 * (i % 8) + 1) * Math.floor(i / 8) * Math.PI) / 16),
);
const C = (u: number): number => (u === 0 ? Math.SQRT1_2 : 1);

/** IJG quality scaling of a base table (natural order), quality 1..100. */
function scaledQuant(base: readonly number[], quality: number): number[] {
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - 2 * q;
  return base.map((value) => Math.min(255, Math.max(1, Math.floor((value * scale + 50) / 100))));
}

class BitWriter {
  private readonly bytes: number[] = [];
  private buffer = 0;
  private count = 0;

  write(code: number, length: number): void {
    for (let bit = length - 1; bit >= 0; bit -= 1) {
      this.buffer = (this.buffer << 1) | ((code >> bit) & 1);
      this.count += 1;
      if (this.count === 8) {
        this.bytes.push(this.buffer);
        if (this.buffer === 0xff) this.bytes.push(0x00); // byte stuffing
        this.buffer = 0;
        this.count = 0;
      }
    }
  }

  /** Pads the last byte with 1-bits, as the standard asks. */
  finish(): number[] {
    if (this.count > 0) this.write((1 << (8 - this.count)) - 1, 8 - this.count);
    return this.bytes;
  }
}

/** Number of bits needed for |value| (the JPEG "category"). */
function category(value: number): number {
  let magnitude = Math.abs(value);
  let bits = 0;
  while (magnitude > 0) {
    bits += 1;
    magnitude >>= 1;
  }
  return bits;
}

/** The value's bits in JPEG's one's-complement form for negatives. */
function amplitude(value: number, bits: number): number {
  return value >= 0 ? value : value + (1 << bits) - 1;
}

function encodeBlock(
  block: Float64Array,
  quant: readonly number[],
  previousDc: number,
  dc: HuffmanTable,
  ac: HuffmanTable,
  out: BitWriter,
): number {
  const coefficients = new Int32Array(64);
  for (let v = 0; v < 8; v += 1) {
    for (let u = 0; u < 8; u += 1) {
      let sum = 0;
      for (let y = 0; y < 8; y += 1) {
        const cy = COS[v * 8 + y] as number;
        for (let x = 0; x < 8; x += 1)
          sum += (block[y * 8 + x] as number) * (COS[u * 8 + x] as number) * cy;
      }
      const index = v * 8 + u;
      coefficients[index] = Math.round((0.25 * C(u) * C(v) * sum) / (quant[index] as number));
    }
  }
  const dcValue = coefficients[0] as number;
  const diff = dcValue - previousDc;
  const dcBits = category(diff);
  const [dcCode, dcLength] = dc.codes.get(dcBits) as readonly [number, number];
  out.write(dcCode, dcLength);
  if (dcBits > 0) out.write(amplitude(diff, dcBits), dcBits);

  let run = 0;
  for (let k = 1; k < 64; k += 1) {
    const value = coefficients[ZIGZAG[k] as number] as number;
    if (value === 0) {
      run += 1;
      continue;
    }
    while (run > 15) {
      const [zrl, zrlLength] = ac.codes.get(0xf0) as readonly [number, number];
      out.write(zrl, zrlLength);
      run -= 16;
    }
    const bits = category(value);
    const [code, length] = ac.codes.get((run << 4) | bits) as readonly [number, number];
    out.write(code, length);
    out.write(amplitude(value, bits), bits);
    run = 0;
  }
  if (run > 0) {
    const [eob, eobLength] = ac.codes.get(0x00) as readonly [number, number];
    out.write(eob, eobLength);
  }
  return dcValue;
}

function segment(marker: number, payload: number[]): number[] {
  const length = payload.length + 2;
  return [0xff, marker, length >> 8, length & 0xff, ...payload];
}

function dht(tableClass: number, id: number, table: HuffmanTable): number[] {
  return [(tableClass << 4) | id, ...table.bits, ...table.values];
}

/**
 * Encodes `rgb` (width*height*3 bytes, row-major) as a baseline JPEG at `quality` (1..100,
 * IJG scale, as obs-websocket's imageCompressionQuality).
 */
export function encodeJpeg(
  rgb: Uint8Array,
  width: number,
  height: number,
  quality: number,
): Buffer {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new Error(`encodeJpeg: bad size ${width}x${height}`);
  if (width > 65535 || height > 65535) throw new Error('encodeJpeg: larger than 65535 a side');
  if (rgb.length !== width * height * 3)
    throw new Error(`encodeJpeg: expected ${width * height * 3} bytes, got ${rgb.length}`);
  const lumaQuant = scaledQuant(LUMA_QUANT, quality);
  const chromaQuant = scaledQuant(CHROMA_QUANT, quality);

  const header = [
    0xff,
    0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0]),
    ...segment(0xdb, [
      0x00,
      ...ZIGZAG.map((i) => lumaQuant[i] as number),
      0x01,
      ...ZIGZAG.map((i) => chromaQuant[i] as number),
    ]),
    ...segment(0xc0, [
      8,
      height >> 8,
      height & 0xff,
      width >> 8,
      width & 0xff,
      3,
      1,
      0x11,
      0,
      2,
      0x11,
      1,
      3,
      0x11,
      1,
    ]),
    ...segment(0xc4, [
      ...dht(0, 0, DC_LUMA),
      ...dht(1, 0, AC_LUMA),
      ...dht(0, 1, DC_CHROMA),
      ...dht(1, 1, AC_CHROMA),
    ]),
    ...segment(0xda, [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0]),
  ];

  const out = new BitWriter();
  const y = new Float64Array(64);
  const cb = new Float64Array(64);
  const cr = new Float64Array(64);
  let dcY = 0;
  let dcCb = 0;
  let dcCr = 0;
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      for (let row = 0; row < 8; row += 1) {
        const py = Math.min(height - 1, by + row); // edge pixels repeat into the padding
        for (let col = 0; col < 8; col += 1) {
          const px = Math.min(width - 1, bx + col);
          const offset = (py * width + px) * 3;
          const r = rgb[offset] as number;
          const g = rgb[offset + 1] as number;
          const b = rgb[offset + 2] as number;
          const i = row * 8 + col;
          y[i] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
          cb[i] = -0.168736 * r - 0.331264 * g + 0.5 * b;
          cr[i] = 0.5 * r - 0.418688 * g - 0.081312 * b;
        }
      }
      dcY = encodeBlock(y, lumaQuant, dcY, DC_LUMA, AC_LUMA, out);
      dcCb = encodeBlock(cb, chromaQuant, dcCb, DC_CHROMA, AC_CHROMA, out);
      dcCr = encodeBlock(cr, chromaQuant, dcCr, DC_CHROMA, AC_CHROMA, out);
    }
  }
  return Buffer.from([...header, ...out.finish(), 0xff, 0xd9]);
}
