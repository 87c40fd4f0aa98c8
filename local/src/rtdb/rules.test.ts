import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataNode } from 'targaryen';
import { describe, expect, it } from 'vitest';
import { RulesEngine, loadRulesDefinition, stripJsonComments } from './rules';

describe('rules files', () => {
  it('strips comments outside strings', () => {
    const text = '{\n // c\n "a": "x // not a comment", /* b */ "b": "/* kept */"\n}';
    expect(JSON.parse(stripJsonComments(text))).toEqual({
      a: 'x // not a comment',
      b: '/* kept */',
    });
  });
  it('loads a file or takes an object', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-'));
    const file = join(dir, 'r.json');
    writeFileSync(file, '// rules\n{"rules": {".read": true}}');
    expect(loadRulesDefinition(file)).toEqual({ rules: { '.read': true } });
    expect(loadRulesDefinition({ rules: {} })).toEqual({ rules: {} });
    rmSync(dir, { recursive: true });
  });
  it('rejects invalid rule sets', () => {
    expect(() => RulesEngine.create({ nope: {} })).toThrow();
    expect(() => RulesEngine.create({ rules: { '.read': 5 } })).toThrow();
  });
});

describe('RulesEngine', () => {
  const mirror = RulesEngine.mirrorOf({ users: { u1: { name: 'a' } } });
  it('evaluates reads and writes with auth and data', () => {
    const engine = RulesEngine.create({
      rules: {
        users: {
          $uid: {
            '.read': 'auth.uid === $uid',
            '.write': "auth.token.admin === true && newData.hasChild('name')",
          },
        },
      },
    });
    expect(engine.canRead(mirror, ['users', 'u1'], { uid: 'u1' }, 0).allowed).toBe(true);
    expect(engine.canRead(mirror, ['users', 'u1'], { uid: 'u2' }, 0).allowed).toBe(false);
    const admin = { uid: 'x', token: { admin: true } };
    const ok = engine.checkSet(mirror, ['users', 'u2'], { name: 'b' }, admin, 0);
    expect(ok.allowed).toBe(true);
    expect(ok.newRoot).not.toBeNull();
    expect(engine.checkSet(mirror, ['users', 'u2'], { other: 1 }, admin, 0).allowed).toBe(false);
    expect(
      engine.checkUpdate(mirror, ['users'], { 'u3/name': 'c', u4: { x: 1 } }, admin, 0).allowed,
    ).toBe(false);
  });
  it('denies and logs when a rule fails to evaluate', () => {
    const logs: string[] = [];
    const engine = RulesEngine.create({ rules: { '.read': 'data.exists()' } }, (m) => logs.push(m));
    const broken = { 'bad.key': 1 } as unknown as DataNode;
    expect(engine.canRead(broken, [], null, 0).allowed).toBe(false);
    expect(logs[0]).toMatch(/rules evaluation failed for read at \//);
  });
});
