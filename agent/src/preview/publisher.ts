// Live preview: watches `vmPool/vms/{vmId}/watchers` and, while at least one fresh entry
// exists, publishes a JPEG of OBS's program output to `vmPool/previews/{vmId}` every
// interval. Nothing is captured or written while nobody watches. A capture waits for the
// previous write, so a database outage never piles images up in memory.
import { onValue, ref, set, type Database, type DatabaseReference } from 'firebase/database';
import {
  jpegBytesOf,
  liveWatchers,
  parseWatchers,
  paths,
  PREVIEW_IMAGE_PREFIX,
  PREVIEW_MAX_SIDE,
  type Preview,
  type Watchers,
} from '@vmpool/core';
import type { Clock, Logger } from '@vmpool/core/ports';
import type { ObsClient } from '../obs/client';
import type { ObsLink } from '../obs/obs-link';
import type { GetCurrentProgramSceneResponse, GetSourceScreenshotResponse } from '../obs/protocol';
import { jpegSize } from './jpeg-size';
import { MAX_ATTEMPTS, PreviewQuality } from './quality';

export interface PreviewOptions {
  intervalMs: number;
}

type Capture = Omit<Preview, 'capturedAt'>;

/**
 * The frame header comes after the quantisation tables (and any EXIF): 8 kB of base64 covers
 * it for OBS's and the stand-in's JPEGs; a header beyond it counts as "not a JPEG".
 */
const HEADER_BASE64_CHARS = 8192;

export class PreviewPublisher {
  private readonly watchersRef: DatabaseReference;
  private readonly previewRef: DatabaseReference;
  private readonly quality = new PreviewQuality();
  private watchers: Watchers = {};
  private unsubscribe: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private active = false;
  private busy = false;
  /** Portrait canvases are limited by their height. */
  private limitBy: 'imageWidth' | 'imageHeight' = 'imageWidth';
  private lastSkip: string | null = null;
  private published = 0;

  constructor(
    db: Database,
    vmId: string,
    private readonly link: ObsLink,
    private readonly options: PreviewOptions,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    this.watchersRef = ref(db, paths.vmWatchers(vmId));
    this.previewRef = ref(db, paths.preview(vmId));
  }

  /** How many previews this agent has written (for logs and tests). */
  get publishedCount(): number {
    return this.published;
  }

  start(): void {
    this.unsubscribe = onValue(
      this.watchersRef,
      (snapshot) => {
        const parsed = parseWatchers(snapshot.val());
        if (!parsed.ok)
          this.log.warn('unreadable watchers; ignoring them', { errors: parsed.errors });
        this.watchers = parsed.ok ? parsed.value : {};
        this.update();
      },
      (error) => this.log.error('cannot read watchers; no preview', { error }),
    );
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.active = false;
    clearTimeout(this.timer);
  }

  private update(): void {
    const anyone = Object.keys(this.watchers).length > 0;
    if (anyone && !this.active) {
      this.active = true;
      this.log.info('someone is watching; publishing the program preview', {
        watchers: Object.keys(this.watchers).length,
        everyMs: this.options.intervalMs,
      });
      clearTimeout(this.timer);
      void this.tick();
    } else if (!anyone && this.active) {
      this.active = false;
      clearTimeout(this.timer);
      this.log.info('nobody is watching; preview stopped', { published: this.published });
    }
  }

  private skip(why: string): void {
    if (this.lastSkip !== why) this.log.info(`preview not captured: ${why}`);
    this.lastSkip = why;
  }

  private async tick(): Promise<void> {
    if (!this.active) return;
    const started = Date.now();
    const client = this.link.client;
    if (liveWatchers(this.watchers, this.clock.now()).length === 0) {
      this.skip('only stale watcher entries (older than the watcher TTL)');
    } else if (client === null) {
      this.skip('OBS is not connected');
    } else if (!this.busy) {
      this.busy = true;
      try {
        const capture = await this.capture(client);
        if (capture !== null && this.active) {
          this.lastSkip = null;
          await set(this.previewRef, { ...capture, capturedAt: this.clock.now() });
          this.published += 1;
        }
      } catch (error) {
        this.log.warn('preview capture or write failed', { error });
      } finally {
        this.busy = false;
      }
    }
    if (!this.active) return;
    const wait = Math.max(0, this.options.intervalMs - (Date.now() - started));
    this.timer = setTimeout(() => void this.tick(), wait);
  }

  /** Screenshot of the program scene within the size limits, or null when none fits. */
  private async capture(client: ObsClient): Promise<Capture | null> {
    const { currentProgramSceneName: scene } =
      await client.call<GetCurrentProgramSceneResponse>('GetCurrentProgramScene');
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const { imageData } = await client.call<GetSourceScreenshotResponse>('GetSourceScreenshot', {
        sourceName: scene,
        imageFormat: 'jpg',
        [this.limitBy]: PREVIEW_MAX_SIDE,
        imageCompressionQuality: this.quality.current,
      });
      const comma = imageData.indexOf(',');
      const base64 = comma >= 0 ? imageData.slice(comma + 1) : imageData;
      // OBS's base64 is kept as it is (no decode and re-encode of the whole image: less
      // garbage per capture); only the head is decoded, for the frame header.
      const bytes = jpegBytesOf(base64);
      const size = jpegSize(Buffer.from(base64.slice(0, HEADER_BASE64_CHARS), 'base64'));
      if (size === null) {
        this.skip('OBS returned something that is not a JPEG');
        return null;
      }
      if (size.width > PREVIEW_MAX_SIDE || size.height > PREVIEW_MAX_SIDE) {
        if (this.limitBy === 'imageHeight') {
          this.skip(`OBS ignored the size limit (${size.width}x${size.height})`);
          return null;
        }
        this.limitBy = 'imageHeight';
        continue;
      }
      const { fits, canRetry } = this.quality.record(bytes);
      if (fits) {
        return {
          image: PREVIEW_IMAGE_PREFIX + base64,
          width: size.width,
          height: size.height,
          bytes,
          scene,
        };
      }
      if (!canRetry) break;
    }
    this.skip('the program image does not fit 30 kB even at the lowest JPEG quality');
    return null;
  }
}
