// `npm run rules:build` as the operator (and `npm run deploy`) runs it: a real process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, rulesForProfile } from './build';

const dir = mkdtempSync(join(tmpdir(), 'vmpool-rules-'));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

function run(args: string[]) {
  // Run from another folder, as an operator may: npm passes it on as INIT_CWD.
  const result = spawnSync(
    'npm',
    ['--prefix', REPO_ROOT, 'run', '--silent', 'rules:build', '--', ...args],
    { cwd: dir, encoding: 'utf8' },
  );
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr.trim() };
}

const written = (name: string) => JSON.parse(readFileSync(join(dir, name), 'utf8')) as unknown;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run rules:build', { timeout: 60_000 }, () => {
  it('writes the strict profile by default to build/database.rules.json', () => {
    const result = run([]);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    const out = join(REPO_ROOT, 'build', 'database.rules.json');
    expect(result.stdout).toBe(`wrote ${out}: strict rules`);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(rulesForProfile('strict'));
  });

  it('writes the compat profile merged with an existing file (comments allowed) to --out', () => {
    writeFileSync(
      join(dir, 'theirs.json'),
      readFileSync(fixture('show-controller-project.rules.json'), 'utf8'),
    );
    const result = run(['--profile', 'compat', '--merge-with', 'theirs.json', '--out', 'o.json']);
    expect(result).toEqual({
      status: 0,
      stdout: 'wrote o.json: compat rules, merged with theirs.json (8 of its paths added)',
      stderr: '',
    });
    const rules = written('o.json') as { rules: Record<string, unknown> };
    expect(Object.keys(rules.rules)).toEqual(
      expect.arrayContaining(['vmPool', 'alerts', 'teamsDatabase', 'segmentTemplates']),
    );
  });

  it('exits 2 with one line per conflicting path and its place', () => {
    const result = run(['--merge-with', fixture('documented-open.rules.json'), '--out', 'x.json']);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^rules:build: \/.*documented-open\.rules\.json:6:7: rules\/competitions\/\.read differs from vmpool’s rules\/competitions\/\.read; .* \(vmpool: \/.*database\.rules\.json:\d+:\d+\)$/,
    );
    expect(lines[1]).toMatch(
      /documented-open\.rules\.json:7:7: rules\/competitions\/\.write grants write/,
    );
  });

  it('exits 2 for an unknown profile, unreadable and invalid files, all reported together', () => {
    writeFileSync(join(dir, 'broken.json'), '{ "rules": { "a": { ".read": true, } } }');
    const broken = run(['--profile', 'open', '--merge-with', 'broken.json']);
    expect(broken.status).toBe(2);
    expect(broken.stderr.split('\n')).toEqual([
      'rules:build: unknown profile "open": use strict or compat',
      'rules:build: broken.json:1:36: invalid JSON: PropertyNameExpected',
    ]);
    const missing = run(['--merge-with', 'nope.json']);
    expect(missing).toEqual({
      status: 2,
      stdout: '',
      stderr: 'rules:build: nope.json: cannot read: no such file',
    });
    const flag = run(['--profil', 'compat']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/^rules:build: Unknown option '--profil'/);
  });
});
