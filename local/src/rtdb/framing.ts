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
  | { readonly kind: 'keepalive' }
  | { readonly kind: 'too_large' };

/** Reassembles incoming frames into messages; enforces a size limit per message. */
export class FrameAssembler {
  private expected = 0;
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly maxMessageChars: number) {}

  push(frame: string): FrameResult {
    if (this.expected > 0) {
      this.parts.push(frame);
      this.size += frame.length;
      if (this.size > this.maxMessageChars) return this.reset('too_large');
      if (this.parts.length < this.expected) return { kind: 'pending' };
      const text = this.parts.join('');
      this.reset('pending');
      return { kind: 'message', text };
    }
    if (frame.length <= 6 && /^\d+$/.test(frame)) {
      const count = Number(frame);
      if (count === 0) return { kind: 'keepalive' };
      this.expected = count;
      return { kind: 'pending' };
    }
    if (frame.length > this.maxMessageChars) return { kind: 'too_large' };
    return { kind: 'message', text: frame };
  }

  private reset(kind: 'pending' | 'too_large'): FrameResult {
    this.expected = 0;
    this.parts = [];
    this.size = 0;
    return { kind } as FrameResult;
  }
}
