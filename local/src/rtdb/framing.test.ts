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
  it('reassembles counted fragments and ignores keepalives', () => {
    const a = new FrameAssembler(1000);
    expect(a.push('0')).toEqual({ kind: 'keepalive' });
    expect(a.push('2')).toEqual({ kind: 'pending' });
    expect(a.push('{"a":')).toEqual({ kind: 'pending' });
    expect(a.push('1}')).toEqual({ kind: 'message', text: '{"a":1}' });
    expect(a.push('{"b":2}')).toEqual({ kind: 'message', text: '{"b":2}' });
  });
  it('refuses messages over the limit, split or not', () => {
    const a = new FrameAssembler(10);
    expect(a.push('x'.repeat(11))).toEqual({ kind: 'too_large' });
    a.push('3');
    a.push('x'.repeat(6));
    expect(a.push('x'.repeat(6))).toEqual({ kind: 'too_large' });
    expect(a.push('{}')).toEqual({ kind: 'message', text: '{}' });
  });
});
