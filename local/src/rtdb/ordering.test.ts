import { describe, expect, it } from 'vitest';
import { MAX_NAME, MIN_NAME, compareKeys, compareValues } from './ordering';
import { leaf, nodeFromJson } from './tree';

describe('compareKeys', () => {
  it('orders 32-bit integer keys numerically before other keys', () => {
    const keys = ['b', '10', '2', 'a', '-1', '007', '7', '2147483648', 'A', MAX_NAME, MIN_NAME];
    expect([...keys].sort(compareKeys)).toEqual([
      MIN_NAME,
      '-1',
      '2',
      '7',
      '007',
      '10',
      '2147483648',
      'A',
      'a',
      'b',
      MAX_NAME,
    ]);
  });
});

describe('compareValues', () => {
  it('orders null < false < true < numbers < strings < objects', () => {
    const values = [
      nodeFromJson({ o: 1 }, null, { now: 0 }),
      leaf('b'),
      leaf('a'),
      leaf(10),
      leaf(-1),
      leaf(true),
      leaf(false),
      null,
    ];
    const sorted = [...values].sort(compareValues);
    expect(sorted).toEqual([
      null,
      leaf(false),
      leaf(true),
      leaf(-1),
      leaf(10),
      leaf('a'),
      leaf('b'),
      values[0],
    ]);
  });
});
