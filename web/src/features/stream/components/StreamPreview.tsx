/** The program output as the agent last captured it, with its age. */
import type { Preview } from '@vmpool/core';
import { formatAgo } from '../../../lib/format';

/** A preview older than this is shown as stale (the agent publishes every 5 s while watched). */
export const PREVIEW_STALE_MS = 30_000;

export function StreamPreview({
  preview,
  error,
  isLoading,
  now,
}: {
  preview: Preview | null;
  error: string | null;
  isLoading: boolean;
  now: number;
}) {
  if (error !== null) {
    return (
      <p className="faint stream-preview-empty" role="note">
        Preview unavailable: {error}
      </p>
    );
  }
  if (preview === null) {
    return (
      <p className="faint stream-preview-empty">
        {isLoading
          ? 'Loading the preview…'
          : 'No preview yet: it appears within seconds while OBS runs.'}
      </p>
    );
  }
  const stale = now - preview.capturedAt > PREVIEW_STALE_MS;
  return (
    <figure className="stream-preview" data-stale={stale}>
      <img
        src={preview.image}
        width={preview.width}
        height={preview.height}
        alt={`Program output${preview.scene === null ? '' : ` (scene ${preview.scene})`}`}
      />
      <figcaption className="faint">
        {preview.scene === null ? 'Program' : preview.scene} · captured{' '}
        <time dateTime={new Date(preview.capturedAt).toISOString()}>
          {formatAgo(preview.capturedAt, now)}
        </time>
        {stale && ' (not updating)'}
      </figcaption>
    </figure>
  );
}
