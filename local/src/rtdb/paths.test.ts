import { describe, expect, it } from 'vitest';
import { InvalidInputError, isPrefix, keyProblem, nodePathOf, parsePath, related } from './paths';

describe('parsePath', () => {
  it('splits and ignores empty segments', () => {
    expect(parsePath('/')).toEqual([]);
    expect(parsePath('')).toEqual([]);
    expect(parsePath('/a//b/')).toEqual(['a', 'b']);
  });
  it.each(['.', '#', '$', '[', ']', '\u0000', '\u001f', '\u007f'])('rejects %j', (ch) => {
    expect(() => parsePath(`/a${ch}b`)).toThrow(InvalidInputError);
  });
  it('accepts a trailing .priority only for writes', () => {
    expect(parsePath('/a/.priority', true)).toEqual(['a', '.priority']);
    expect(() => parsePath('/a/.priority')).toThrow(InvalidInputError);
    expect(() => parsePath('/.priority/a', true)).toThrow(InvalidInputError);
  });
  it('rejects non-strings and over-long keys', () => {
    expect(() => parsePath(5)).toThrow(InvalidInputError);
    expect(() => parsePath('/' + 'k'.repeat(769))).toThrow(/768/);
    expect(keyProblem('ok-key_€')).toBeNull();
  });
});

describe('path relations', () => {
  it('knows prefixes and related paths', () => {
    expect(isPrefix([], ['a'])).toBe(true);
    expect(isPrefix(['a'], ['a', 'b'])).toBe(true);
    expect(isPrefix(['a', 'b'], ['a'])).toBe(false);
    expect(related(['a', 'b'], ['a'])).toBe(true);
    expect(related(['a', 'b'], ['a', 'c'])).toBe(false);
    expect(nodePathOf(['a', '.priority'])).toEqual(['a']);
  });
});
