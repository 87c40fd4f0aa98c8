// docs/show-controller-sign-in.patch is a diff against the show-controller's repository: it is
// applied by hand there (docs/show-controller-sign-in.md), so it must stay a well-formed diff
// that touches only that app's sources, and its acknowledgement must be the shape the
// contract test proves the strict rules accept.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const PATCH = readFileSync(
  new URL('../../docs/show-controller-sign-in.patch', import.meta.url),
  'utf8',
);

interface FilePatch {
  path: string;
  added: string[];
  removed: string[];
}

/** Files of a unified diff; throws when a hunk's line counts do not match its header. */
function parse(patch: string): FilePatch[] {
  const files: FilePatch[] = [];
  const lines = patch.split('\n');
  let index = 0;
  while (index < lines.length) {
    const line = lines[index] ?? '';
    const header = /^diff --git a\/(\S+) b\/(\S+)$/.exec(line);
    if (header !== null) {
      files.push({ path: header[2] ?? '', added: [], removed: [] });
      index += 1;
      continue;
    }
    const hunk = /^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@/.exec(line);
    if (hunk !== null) {
      const file = files.at(-1);
      if (file === undefined) throw new Error(`hunk before any file at line ${index + 1}`);
      let old = Number(hunk[1] ?? 1);
      let now = Number(hunk[2] ?? 1);
      index += 1;
      while (old > 0 || now > 0) {
        const body = lines[index];
        if (body === undefined) throw new Error(`hunk of ${file.path} ends early`);
        if (body.startsWith('+')) {
          file.added.push(body.slice(1));
          now -= 1;
        } else if (body.startsWith('-')) {
          file.removed.push(body.slice(1));
          old -= 1;
        } else if (body.startsWith(' ') || body === '') {
          old -= 1;
          now -= 1;
        } else if (!body.startsWith('\\')) {
          throw new Error(`unexpected line in a hunk of ${file.path}: ${body}`);
        }
        index += 1;
      }
      if (old !== 0 || now !== 0) throw new Error(`hunk of ${file.path} does not match its header`);
      continue;
    }
    index += 1;
  }
  return files;
}

describe('docs/show-controller-sign-in.patch', () => {
  const files = parse(PATCH);

  it('is a well-formed diff of the show-controller’s sources only, and small', () => {
    expect(files.map((file) => file.path)).toEqual([
      'show-controller/src/App.jsx',
      'show-controller/src/components/SignInGate.jsx',
      'show-controller/src/hooks/useAlerts.js',
      'show-controller/src/lib/firebase.js',
      'show-controller/src/pages/VmPoolMovedPage.jsx',
    ]);
    const added = files.reduce((sum, file) => sum + file.added.length, 0);
    expect(added).toBeLessThanOrEqual(70);
  });

  it('acknowledges alerts with the uid and the server time (what strict accepts)', () => {
    const alerts = files.find((file) => file.path.endsWith('useAlerts.js'));
    expect(alerts?.added.map((line) => line.trim())).toEqual(
      expect.arrayContaining([
        'acknowledgedAt: serverTimestamp(),',
        'acknowledgedBy: auth.currentUser?.uid',
      ]),
    );
    expect(alerts?.removed.map((line) => line.trim())).toEqual(
      expect.arrayContaining(["acknowledgedBy: 'producer'"]),
    );
  });

  it('signs in with the app’s own Firebase app and keeps its database configuration', () => {
    const firebase = files.find((file) => file.path.endsWith('lib/firebase.js'));
    expect(firebase?.added.join('\n')).toContain('const auth = getAuth(app);');
    expect(firebase?.removed.join('\n')).not.toMatch(/databaseURL|apiKey|projectId/);
    const app = files.find((file) => file.path.endsWith('App.jsx'));
    expect(app?.added.map((line) => line.trim())).toEqual(
      expect.arrayContaining([
        '<SignInGate>',
        '</SignInGate>',
        '<Route path="/_admin/vm-pool" element={<VmPoolMovedPage />} />',
      ]),
    );
  });
});
