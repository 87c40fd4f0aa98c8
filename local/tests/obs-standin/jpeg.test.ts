// The stand-in's JPEG encoder, checked by a real decoder (ffmpeg): valid baseline JPEGs of the
// requested size whose pixels match the picture, smaller at lower quality.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { encodeJpeg } from '../../src/obs-standin/jpeg-encoder';
import { renderTestCard } from '../../src/obs-standin/test-card';

function decode(jpeg: Buffer): { width: number; height: number; rgb: Buffer } {
  const probe = spawnSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-show_entries',
      'stream=width,height,codec_name',
      '-of',
      'json',
      '-i',
      'pipe:0',
    ],
    { input: jpeg },
  );
  expect(probe.status, probe.stderr.toString()).toBe(0);
  const stream = (JSON.parse(probe.stdout.toString()) as { streams: Record<string, unknown>[] })
    .streams[0] as { width: number; height: number; codec_name: string };
  expect(stream.codec_name).toBe('mjpeg');
  const raw = spawnSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-f',
      'image2pipe',
      '-i',
      'pipe:0',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { input: jpeg, maxBuffer: 64 * 1024 * 1024 },
  );
  expect(raw.status, raw.stderr.toString()).toBe(0);
  return { width: stream.width, height: stream.height, rgb: raw.stdout };
}

/** Peak signal-to-noise ratio of two RGB buffers, in dB. */
function psnr(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += ((a[i] as number) - (b[i] as number)) ** 2;
  return 10 * Math.log10((255 * 255) / (sum / a.length));
}

const card = (width: number, height: number, frame = 42) =>
  renderTestCard(width, height, { scene: 'Floor', frame, time: 0, status: 'LIVE' });

// Encoding in pure TypeScript and decoding with ffmpeg: seconds on a loaded machine.
describe('encodeJpeg', { timeout: 60_000 }, () => {
  it('makes a JPEG a real decoder reads back as the picture', () => {
    const pixels = card(320, 180);
    const jpeg = encodeJpeg(pixels, 320, 180, 90);
    const decoded = decode(jpeg);
    expect([decoded.width, decoded.height]).toEqual([320, 180]);
    expect(psnr(decoded.rgb, pixels)).toBeGreaterThan(30);
  });

  it('handles sizes that are not multiples of 8', () => {
    const pixels = card(177, 100);
    const decoded = decode(encodeJpeg(pixels, 177, 100, 75));
    expect([decoded.width, decoded.height]).toEqual([177, 100]);
    expect(psnr(decoded.rgb, pixels)).toBeGreaterThan(25);
  });

  it('gets smaller as the quality goes down', () => {
    const pixels = card(320, 180);
    const sizes = [95, 70, 40, 10].map((quality) => encodeJpeg(pixels, 320, 180, quality).length);
    for (let i = 1; i < sizes.length; i += 1) expect(sizes[i]).toBeLessThan(sizes[i - 1] as number);
  });

  it('refuses a buffer that does not match the size', () => {
    expect(() => encodeJpeg(new Uint8Array(10), 320, 180, 70)).toThrow(/expected 172800 bytes/);
  });
});

describe('renderTestCard', () => {
  it('changes with the frame counter, so previews move', () => {
    expect(Buffer.from(card(320, 180, 1)).equals(Buffer.from(card(320, 180, 2)))).toBe(false);
  });
});
