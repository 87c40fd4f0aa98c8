// Chooses the JPEG quality of the preview so that it stays within PREVIEW_MAX_BYTES: a
// capture that is too large is retaken at a lower quality at once, and a capture far below
// the limit lets the next one be a little better. Pure.
import { PREVIEW_MAX_BYTES } from '@vmpool/core';

export const QUALITY = { start: 70, min: 10, max: 85, down: 15, up: 5 } as const;
/** Retakes within one capture when the image is too large. */
export const MAX_ATTEMPTS = 4;

export class PreviewQuality {
  private value: number = QUALITY.start;

  get current(): number {
    return this.value;
  }

  /**
   * Records a capture of `bytes` at the current quality. Returns true when it fits; when it
   * does not, the quality is lowered and the caller may retake (false, `canRetry`).
   */
  record(bytes: number): { fits: boolean; canRetry: boolean } {
    if (bytes > PREVIEW_MAX_BYTES) {
      const before = this.value;
      this.value = Math.max(QUALITY.min, this.value - QUALITY.down);
      return { fits: false, canRetry: this.value < before };
    }
    if (bytes < PREVIEW_MAX_BYTES / 2) this.value = Math.min(QUALITY.max, this.value + QUALITY.up);
    return { fits: true, canRetry: false };
  }
}
