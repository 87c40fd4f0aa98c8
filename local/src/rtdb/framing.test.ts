import { describe, expect, it } from 'vitest';
import { FrameAssembler, MAX_FRAME_CHARS, splitMessage } from './framing';

describe('splitMessage', () => {
  it('leaves short messages alone and splits long ones after a count', () => {
    expect(splitMessage('abc')).toEqual(['abc']);
    const long = 'x'.repeat(MAX_FRAME_CHARS * 2 + 5);
    const frames = splitMessage(long);
    expect(frames[0]).toBe('3');
    expect(frames.slice(1).join('')).toBe(long);
  });
});

describe('FrameAssembler', () => {
  const clock = (): number => 7;
  it('reassembles counted fragments and ignores keepalives', () => {
    const a = new FrameAssembler(() => 1000, clock);
    expect(a.push('0')).toEqual({ kind: 'keepalive' });
    expect(a.push('2')).toEqual({ kind: 'pending' });
    expect(a.pendingSince).toBe(7);
    expect(a.push('{"a":')).toEqual({ kind: 'first', text: '{"a":', oversized: false });
    expect(a.push('1}')).toEqual({ kind: 'message', text: '{"a":1}' });
    expect(a.pendingSince).toBeNull();
    expect(a.push('{"b":2}')).toEqual({ kind: 'message', text: '{"b":2}' });
  });
  it('refuses messages over the limit, split or not', () => {
    const a = new FrameAssembler(() => 10, clock);
    expect(a.push('x'.repeat(11))).toEqual({ kind: 'too_large' });
    a.push('3');
    a.push('x'.repeat(6));
    expect(a.push('x'.repeat(6))).toEqual({ kind: 'too_large' });
    expect(a.push('{}')).toEqual({ kind: 'message', text: '{}' });
  });
  it('flags a count that announces more than the limit, before the fragments arrive', () => {
    const a = new FrameAssembler(() => MAX_FRAME_CHARS * 4, clock);
    expect(a.push('5')).toEqual({ kind: 'pending' });
    expect(a.push('{"t":')).toEqual({ kind: 'first', text: '{"t":', oversized: false });
    const b = new FrameAssembler(() => MAX_FRAME_CHARS * 4, clock);
    b.push('6');
    expect(b.push('{"t":')).toEqual({ kind: 'first', text: '{"t":', oversized: true });
  });
  it('skips the rest of a discarded message unread, then reads the next one', () => {
    const a = new FrameAssembler(() => 1000, clock);
    a.push('4');
    a.push('{"first":');
    a.discardRest();
    expect(a.pendingSince).toBe(7);
    expect(a.push('{"b":2}')).toEqual({ kind: 'pending' });
    expect(a.push('"x"')).toEqual({ kind: 'pending' });
    expect(a.push('}')).toEqual({ kind: 'pending' });
    expect(a.pendingSince).toBeNull();
    expect(a.push('{"b":2}')).toEqual({ kind: 'message', text: '{"b":2}' });
  });
});
