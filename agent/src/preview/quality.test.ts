import { PREVIEW_MAX_BYTES } from '@vmpool/core';
import { describe, expect, it } from 'vitest';
import { PreviewQuality, QUALITY } from './quality';

describe('PreviewQuality', () => {
  it('steps down at once when an image is too large, until the lowest quality', () => {
    const quality = new PreviewQuality();
    expect(quality.current).toBe(QUALITY.start);
    expect(quality.record(PREVIEW_MAX_BYTES + 1)).toEqual({ fits: false, canRetry: true });
    expect(quality.current).toBe(QUALITY.start - QUALITY.down);
    while (quality.current > QUALITY.min) quality.record(PREVIEW_MAX_BYTES * 2);
    expect(quality.record(PREVIEW_MAX_BYTES * 2)).toEqual({ fits: false, canRetry: false });
    expect(quality.current).toBe(QUALITY.min);
  });

  it('creeps back up when images are far below the limit, never past the top', () => {
    const quality = new PreviewQuality();
    expect(quality.record(PREVIEW_MAX_BYTES / 2 - 1)).toEqual({ fits: true, canRetry: false });
    expect(quality.current).toBe(QUALITY.start + QUALITY.up);
    for (let i = 0; i < 20; i += 1) quality.record(1000);
    expect(quality.current).toBe(QUALITY.max);
    quality.record(PREVIEW_MAX_BYTES);
    expect(quality.current).toBe(QUALITY.max);
  });
});
