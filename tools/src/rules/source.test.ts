import { describe, expect, it } from 'vitest';
import { parseRulesText } from './source';

const errorsOf = (text: string) => {
  const loaded = parseRulesText(text, 'x.json');
  return loaded.ok ? [] : loaded.errors;
};

describe('parseRulesText', () => {
  it('accepts comments and points at keys by line and column', () => {
    const loaded = parseRulesText(
      [
        '// a comment before the object',
        '{',
        '  /* block */ "rules": {',
        '    "teams": { ".read": true, // inline',
        '      "$teamId": { ".indexOn": "name" } }',
        '  }',
        '}',
      ].join('\n'),
      'x.json',
    );
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    expect(loaded.value.rules).toEqual({
      teams: { '.read': true, $teamId: { '.indexOn': 'name' } },
    });
    expect(loaded.value.locate(['teams'])).toBe('x.json:4:5');
    expect(loaded.value.locate(['teams', '.read'])).toBe('x.json:4:16');
    expect(loaded.value.locate(['teams', '$teamId', '.indexOn'])).toBe('x.json:5:20');
    // A path that is not in the file points at its nearest ancestor.
    expect(loaded.value.locate(['teams', 'nothing', '.read'])).toBe('x.json:4:5');
  });

  it('reports invalid JSON with its place', () => {
    expect(errorsOf('{\n  "rules": {\n    "a": { ".read": true, }\n  }\n}')).toEqual([
      'x.json:3:27: invalid JSON: PropertyNameExpected',
    ]);
    expect(errorsOf('')).toEqual(['x.json:1:1: invalid JSON: ValueExpected']);
    expect(errorsOf('{"rules": {"a": {".read": tru}}}')[0]).toMatch(/^x\.json:1:27: invalid JSON/);
  });

  it('reports every problem of the rules at once, each with its place', () => {
    const errors = errorsOf(
      JSON.stringify(
        {
          rules: {
            a: { '.reed': true },
            b: { $one: {}, $two: {} },
            c: { '.read': 1, '.indexOn': [1] },
            'd.e': {},
            f: 'not a node',
          },
          other: {},
        },
        null,
        1,
      ),
    );
    expect(errors).toEqual([
      'x.json:19:2: unexpected top-level key "other"',
      'x.json:4:4: rules/a/.reed: unknown rule kind (only .read, .write, .validate, .indexOn)',
      'x.json:8:4: rules/b/$two: a second wildcard beside $one (one per level)',
      'x.json:11:4: rules/c/.read must be true, false or an expression',
      'x.json:12:4: rules/c/.indexOn must be a string or strings',
      'x.json:16:3: rules/d.e: not a valid key',
      'x.json:17:8: rules/f must be an object of rules',
    ]);
  });

  it('refuses a file without rules, a non-object and duplicate keys', () => {
    expect(errorsOf('{"rulez": {}}')).toEqual([
      'x.json:1:2: unexpected top-level key "rulez"',
      'x.json: no "rules" key',
    ]);
    expect(errorsOf('[]')).toEqual(['x.json:1:1: a rules file is an object with a "rules" key']);
    expect(errorsOf('{"rules": {"a": {".read": true, ".read": false}}}')).toEqual([
      'x.json:1:33: rules/a/.read appears twice',
    ]);
  });
});
