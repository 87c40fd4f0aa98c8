import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import targaryen, { type DataNode } from 'targaryen';
import { describe, expect, it } from 'vitest';
import { RulesEngine, loadRulesDefinition, stripJsonComments } from './rules';
import type { Json } from './tree';

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
    const update = (writes: [string[], unknown][]): boolean =>
      engine.checkUpdate(
        mirror,
        ['users'],
        writes.map(([path, value]) => ({ path, value: value as null })),
        admin,
        0,
      ).allowed;
    expect(
      update([
        [['users', 'u3', 'name'], 'c'],
        [['users', 'u4'], { x: 1 }],
      ]),
    ).toBe(false);
    expect(
      update([
        [['users', 'u3', 'name'], 'c'],
        [['users', 'u4'], { name: 'd' }],
      ]),
    ).toBe(true);
  });
  it('denies and logs when a rule fails to evaluate', () => {
    const logs: string[] = [];
    const engine = RulesEngine.create({ rules: { '.read': 'data.exists()' } }, (m) => logs.push(m));
    const broken = { 'bad.key': 1 } as unknown as DataNode;
    expect(engine.canRead(broken, [], null, 0).allowed).toBe(false);
    expect(logs[0]).toMatch(/rules evaluation failed for read at \//);
  });
});

describe('RulesEngine without reading the data', () => {
  const engine = RulesEngine.create({
    rules: {
      '.write': false,
      closed: { '.write': false, deeper: { x: { '.read': true } } },
      users: {
        $uid: {
          '.read': 'auth.uid === $uid',
          '.write': 'auth.uid === $uid',
          profile: { '.read': "root.child('public/' + $uid).val() === true" },
        },
      },
      box: { inner: { '.write': 'auth != null' } },
      shared: { '.read': "data.child('open').val() === true" },
    },
  });
  it('knows where no .write rule can allow a write', () => {
    expect(engine.couldAllowWrite([], false)).toBe(false);
    expect(engine.couldAllowWrite(['junk'], false)).toBe(false);
    expect(engine.couldAllowWrite(['junk', 'deep'], true)).toBe(false);
    expect(engine.couldAllowWrite(['closed', 'deeper', 'x'], true)).toBe(false);
    expect(engine.couldAllowWrite(['users', 'u1', 'name'], false)).toBe(true);
    // The box itself cannot be set, but an update at the box can reach box/inner.
    expect(engine.couldAllowWrite(['box'], false)).toBe(false);
    expect(engine.couldAllowWrite(['box'], true)).toBe(true);
    expect(engine.couldAllowWrite([], true)).toBe(true);
  });
  it('knows which reads depend on stored data', () => {
    expect(engine.readDependsOnData(['users', 'u1'])).toBe(false);
    expect(engine.readDependsOnData(['users', 'u1', 'profile'])).toBe(true);
    expect(engine.readDependsOnData(['shared', 'x'])).toBe(true);
    expect(engine.readDependsOnData(['junk'])).toBe(false);
  });
});

describe('multi-path updates against the rules', () => {
  const definition = {
    rules: {
      items: {
        $id: {
          '.write': "auth != null && (!data.exists() || data.child('owner').val() === auth.uid)",
          '.validate': "newData.hasChildren(['owner']) || !newData.exists()",
          owner: { '.validate': 'newData.val() === auth.uid' },
          n: { '.validate': 'newData.isNumber()' },
          $other: { '.validate': false },
        },
      },
    },
  };
  const engine = RulesEngine.create(definition);
  const key = fc.constantFrom('a', 'b', 'c');
  const value = fc.oneof(
    fc.constant(null),
    fc.record(
      { owner: fc.constantFrom('me', 'you'), n: fc.integer() },
      { requiredKeys: ['owner'] },
    ),
    fc.integer(),
  );
  const write = fc.tuple(key, fc.constantFrom([], ['n'], ['owner'], ['zz']), value);

  it('decides like targaryen.update and builds the same new data', () => {
    fc.assert(
      fc.property(
        fc.dictionary(key, fc.record({ owner: fc.constantFrom('me', 'you'), n: fc.integer() })),
        fc.array(write, { minLength: 1, maxLength: 6 }),
        (existingItems, writes) => {
          // Plain objects, as JSON parsing gives (targaryen refuses null-prototype ones).
          const data = JSON.parse(JSON.stringify({ items: existingItems })) as Json;
          const mirror = RulesEngine.mirrorOf(data);
          const auth = { uid: 'me' };
          const patch: Record<string, unknown> = {};
          for (const [id, rest, v] of writes) {
            patch[[id, ...rest].join('/')] = JSON.parse(JSON.stringify(v)) as unknown;
          }
          // Overlapping paths are excluded here: targaryen applies them in key order.
          const paths = Object.keys(patch);
          if (paths.some((p) => paths.some((q) => q !== p && q.startsWith(p + '/')))) return;
          const expected = targaryen
            .database(definition, data, 0)
            .as(auth)
            .update('/items', patch, { now: 0 });
          const verdict = engine.checkUpdate(
            mirror,
            ['items'],
            paths.map((p) => ({ path: ['items', ...p.split('/')], value: patch[p] as null })),
            auth,
            0,
          );
          expect(verdict.allowed).toBe(expected.allowed);
          if (verdict.allowed) {
            expect(verdict.newRoot?.$value()).toEqual(expected.newDatabase.root.$value());
          }
        },
      ),
    );
  });

  it('merges many paths into a wide node, later writes winning', () => {
    const open = RulesEngine.create({ rules: { '.read': true, '.write': true } });
    const wide: Record<string, number> = {};
    for (let i = 0; i < 5000; i++) wide[`k${i}`] = i;
    const writes = Array.from({ length: 5000 }, (_, i) => ({ path: [`k${i}`, 'v'], value: i }));
    const verdict = open.checkUpdate(
      RulesEngine.mirrorOf(wide),
      [],
      [...writes, { path: ['k1'], value: 'over' }, { path: ['k1', 'w'], value: 2 }],
      null,
      0,
    );
    expect(verdict.allowed).toBe(true);
    expect(verdict.newRoot?.$child('k4999/v').$value()).toBe(4999);
    expect(verdict.newRoot?.$child('k1').$value()).toEqual({ w: 2 });
  });
});
