// The stand-in OBS's program output: a test card drawn into an RGB buffer at the requested
// size: colour bars, a bar sweeping with the frame counter, the scene name, the clock, the
// frame number and the output state, so that a preview visibly changes every capture.

/** 5x7 glyphs, one 5-bit row per number (most significant bit left). */
const GLYPHS: Record<string, readonly number[]> = {
  '0': [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
  '1': [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
  '2': [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
  '3': [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
  '4': [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
  '5': [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
  '6': [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
  '7': [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
  '8': [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
  '9': [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
  A: [0x0e, 0x11, 0x11, 0x11, 0x1f, 0x11, 0x11],
  B: [0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e],
  C: [0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e],
  D: [0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c],
  E: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f],
  F: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10],
  G: [0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f],
  H: [0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
  I: [0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e],
  J: [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c],
  K: [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
  L: [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f],
  M: [0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11],
  N: [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
  O: [0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
  P: [0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10],
  Q: [0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d],
  R: [0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11],
  S: [0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e],
  T: [0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
  U: [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
  V: [0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04],
  W: [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a],
  X: [0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11],
  Y: [0x11, 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04],
  Z: [0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f],
  ' ': [0, 0, 0, 0, 0, 0, 0],
  ':': [0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00],
  '-': [0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00],
  '.': [0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c],
  '/': [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00],
  '?': [0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04],
  '#': [0x0a, 0x0a, 0x1f, 0x0a, 0x1f, 0x0a, 0x0a],
  '%': [0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03],
  '(': [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
  ')': [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
  '!': [0x04, 0x04, 0x04, 0x04, 0x04, 0x00, 0x04],
  _: [0, 0, 0, 0, 0, 0, 0x1f],
};

type Rgb = readonly [number, number, number];

/** SMPTE-style 75% bars. */
const BARS: readonly Rgb[] = [
  [191, 191, 191],
  [191, 191, 0],
  [0, 191, 191],
  [0, 191, 0],
  [191, 0, 191],
  [191, 0, 0],
  [0, 0, 191],
];

export interface TestCardContent {
  scene: string;
  /** The program frame number (advances at the canvas frame rate). */
  frame: number;
  /** Wall clock shown on the card, ms epoch. */
  time: number;
  /** e.g. LIVE, OFF AIR, RECONNECTING */
  status: string;
  /** Random noise instead of bars: the worst case for JPEG size. */
  noise?: boolean;
}

class Canvas {
  readonly pixels: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 3);
  }

  fill(x0: number, y0: number, w: number, h: number, [r, g, b]: Rgb): void {
    const x1 = Math.min(this.width, Math.max(0, Math.round(x0 + w)));
    const y1 = Math.min(this.height, Math.max(0, Math.round(y0 + h)));
    for (let y = Math.max(0, Math.round(y0)); y < y1; y += 1) {
      for (let x = Math.max(0, Math.round(x0)); x < x1; x += 1) {
        const offset = (y * this.width + x) * 3;
        this.pixels[offset] = r;
        this.pixels[offset + 1] = g;
        this.pixels[offset + 2] = b;
      }
    }
  }

  /** Draws text with `scale`-pixel dots; returns the width drawn. */
  text(value: string, x: number, y: number, scale: number, colour: Rgb): number {
    let cursor = x;
    for (const char of value.toUpperCase()) {
      const glyph = GLYPHS[char] ?? (GLYPHS['?'] as readonly number[]);
      glyph.forEach((row, gy) => {
        for (let gx = 0; gx < 5; gx += 1) {
          if (row & (0x10 >> gx))
            this.fill(cursor + gx * scale, y + gy * scale, scale, scale, colour);
        }
      });
      cursor += 6 * scale;
    }
    return cursor - x;
  }
}

function clock(time: number): string {
  const date = new Date(time);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} UTC`;
}

/** Renders the test card as RGB (width*height*3 bytes). */
export function renderTestCard(
  width: number,
  height: number,
  content: TestCardContent,
): Uint8Array {
  const canvas = new Canvas(width, height);
  const barsHeight = Math.round(height * 0.55);
  if (content.noise) {
    // A deterministic pseudo-random field (xorshift), different every frame.
    let state = (content.frame * 2654435761) >>> 0 || 1;
    for (let i = 0; i < width * barsHeight * 3; i += 1) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      canvas.pixels[i] = state & 0xff;
    }
  } else {
    BARS.forEach((colour, index) =>
      canvas.fill((index * width) / BARS.length, 0, width / BARS.length + 1, barsHeight, colour),
    );
  }
  // A bar sweeping across once every 4 seconds at 30 fps: motion between two previews.
  const sweepY = barsHeight;
  const sweepHeight = Math.max(2, Math.round(height * 0.06));
  canvas.fill(0, sweepY, width, sweepHeight, [16, 16, 16]);
  const position = ((content.frame % 120) / 120) * width;
  canvas.fill(position, sweepY, Math.max(4, width / 16), sweepHeight, [235, 235, 235]);
  // The caption band.
  const bandY = sweepY + sweepHeight;
  canvas.fill(0, bandY, width, height - bandY, [20, 24, 38]);
  const scale = Math.max(1, Math.floor((height - bandY) / 30));
  const line = 9 * scale;
  const margin = 2 * scale;
  canvas.text(content.scene.slice(0, 40), margin, bandY + margin, scale, [255, 255, 255]);
  canvas.text(
    `${clock(content.time)}  F ${String(content.frame).padStart(6, '0')}`,
    margin,
    bandY + margin + line,
    scale,
    [200, 210, 230],
  );
  const live = content.status === 'LIVE';
  canvas.text(
    content.status,
    margin,
    bandY + margin + 2 * line,
    scale,
    live ? [255, 80, 80] : [160, 160, 160],
  );
  return canvas.pixels;
}
