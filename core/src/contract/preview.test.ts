import { describe, expect, it } from 'vitest';
import {
  jpegBytesOf,
  liveWatchers,
  parsePreview,
  parseWatchers,
  PREVIEW_IMAGE_MAX_LENGTH,
  PREVIEW_IMAGE_PREFIX,
  PREVIEW_MAX_BYTES,
  WATCHER_TTL_MS,
} from './preview';

const image = (bytes: number) =>
  PREVIEW_IMAGE_PREFIX + Buffer.alloc(bytes, 0xff).toString('base64');

describe('parsePreview', () => {
  const preview = {
    image: image(12_000),
    width: 320,
    height: 180,
    bytes: 12_000,
    capturedAt: 1000,
    scene: 'Floor',
  };

  it('accepts a preview and reads a missing scene as null', () => {
    expect(parsePreview(preview)).toEqual({ ok: true, value: preview });
    const { scene: _scene, ...noScene } = preview;
    expect(parsePreview(noScene)).toEqual({ ok: true, value: { ...noScene, scene: null } });
  });

  it('takes the largest image the limit allows and nothing larger', () => {
    const largest = image(PREVIEW_MAX_BYTES);
    expect(largest.length).toBe(PREVIEW_IMAGE_MAX_LENGTH);
    expect(jpegBytesOf(largest)).toBe(PREVIEW_MAX_BYTES);
    expect(parsePreview({ ...preview, image: largest, bytes: PREVIEW_MAX_BYTES }).ok).toBe(true);
    expect(parsePreview({ ...preview, image: image(PREVIEW_MAX_BYTES + 3) })).toEqual({
      ok: false,
      errors: [`image: must be at most ${PREVIEW_IMAGE_MAX_LENGTH} characters`],
    });
  });

  it('refuses other image types, oversized sides and byte counts, all at once', () => {
    expect(
      parsePreview({
        ...preview,
        image: 'data:image/png;base64,iVBORw0KGgo=',
        width: 640,
        height: 0,
        bytes: PREVIEW_MAX_BYTES + 1,
      }),
    ).toEqual({
      ok: false,
      errors: [
        `image: must be a data URL starting with ${PREVIEW_IMAGE_PREFIX}`,
        'width: must be <= 320',
        'height: must be >= 1',
        `bytes: must be <= ${PREVIEW_MAX_BYTES}`,
      ],
    });
  });
});

describe('jpegBytesOf', () => {
  it('counts the decoded bytes, padding included', () => {
    for (const bytes of [1, 2, 3, 4, 5, 30_000]) expect(jpegBytesOf(image(bytes))).toBe(bytes);
  });
});

describe('watchers', () => {
  it('reads a missing node as nobody and refuses non-timestamps', () => {
    expect(parseWatchers(null)).toEqual({ ok: true, value: {} });
    expect(parseWatchers({ 'u-1': 5, 'u-2': 7 })).toEqual({
      ok: true,
      value: { 'u-1': 5, 'u-2': 7 },
    });
    expect(parseWatchers({ 'u-1': true })).toEqual({
      ok: false,
      errors: ['u-1: must be a number'],
    });
  });

  it('counts only watchers that confirmed within the TTL', () => {
    const now = 1_000_000;
    expect(
      liveWatchers(
        { fresh: now - 1000, edge: now - WATCHER_TTL_MS, stale: now - WATCHER_TTL_MS - 1 },
        now,
      ),
    ).toEqual(['edge', 'fresh']);
    expect(liveWatchers({}, now)).toEqual([]);
  });
});
