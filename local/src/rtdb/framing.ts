/**
 * WebSocket frame splitting (protocol v5): a message longer than 16384
 * characters goes out as a frame holding the fragment count, then the
 * fragments. Incoming messages are reassembled the same way.
 */

export const MAX_FRAME_CHARS = 16384;

/** Splits one serialized message into the frames to send. */
export function splitMessage(message: string): string[] {
  if (message.length <= MAX_FRAME_CHARS) return [message];
  const frames: string[] = [];
  for (let i = 0; i < message.length; i += MAX_FRAME_CHARS) {
    frames.push(message.slice(i, i + MAX_FRAME_CHARS));
  }
  return [String(frames.length), ...frames];
}

export type FrameResult =
  | { readonly kind: 'message'; readonly text: string }
  | { readonly kind: 'pending' }
  /**
   * The first fragment of a message split over several frames (it is kept). `oversized`:
   * the announced count already puts the message over the limit. The caller may look at the
   * start of the message and call `discardRest()` to refuse it without reading the rest.
   */
  | { readonly kind: 'first'; readonly text: string; readonly oversized: boolean }
  | { readonly kind: 'keepalive' }
  | { readonly kind: 'too_large' };

/**
 * Reassembles incoming frames into messages; enforces a size limit per message (the limit
 * may change between messages: it depends on who the connection is).
 */
export class FrameAssembler {
  private expected = 0;
  private parts: string[] = [];
  private size = 0;
  private discarding = 0;
  private oversized = false;
  private since: number | null = null;

  constructor(
    private readonly limit: () => number,
    private readonly clock: () => number,
  ) {}

  /** When the message being reassembled (or discarded) started; null between messages. */
  get pendingSince(): number | null {
    return this.since;
  }

  push(frame: string): FrameResult {
    if (this.discarding > 0) {
      this.discarding -= 1;
      if (this.discarding === 0) this.since = null;
      return { kind: 'pending' };
    }
    const limit = this.limit();
    if (this.expected > 0) {
      this.parts.push(frame);
      this.size += frame.length;
      if (this.size > limit) return this.reset('too_large');
      if (this.parts.length === 1) return { kind: 'first', text: frame, oversized: this.oversized };
      if (this.parts.length < this.expected) return { kind: 'pending' };
      const text = this.parts.join('');
      this.reset('pending');
      return { kind: 'message', text };
    }
    if (frame.length <= 6 && /^\d+$/.test(frame)) {
      const count = Number(frame);
      if (count === 0) return { kind: 'keepalive' };
      if (count === 1) return { kind: 'pending' };
      this.expected = count;
      // The SDKs fill every fragment but the last: more fragments than that is too much.
      this.oversized = count > Math.ceil(limit / MAX_FRAME_CHARS) + 1;
      this.since = this.clock();
      return { kind: 'pending' };
    }
    if (frame.length > limit) return { kind: 'too_large' };
    return { kind: 'message', text: frame };
  }

  /** Skips the remaining fragments of the current message (after its first one). */
  discardRest(): void {
    const left = this.expected - this.parts.length;
    const since = this.since;
    this.reset('pending');
    this.discarding = left;
    this.since = left > 0 ? since : null;
  }

  private reset(kind: 'pending' | 'too_large'): FrameResult {
    this.expected = 0;
    this.parts = [];
    this.size = 0;
    this.oversized = false;
    this.since = null;
    return { kind } as FrameResult;
  }
}
