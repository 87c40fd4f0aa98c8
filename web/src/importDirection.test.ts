// @vitest-environment node
/**
 * The import direction of web/src (shared -> features -> app), as `npm run lint` enforces it
 * with the repository's own ESLint configuration.
 */
import { ESLint } from 'eslint';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));
const eslint = new ESLint({ cwd: join(SRC, '../..') });

/** The import-direction messages ESLint reports for `importLine` written in `file`. */
async function problems(
  file: string,
  importLine: string,
  rule = 'web/import-direction',
): Promise<string[]> {
  const [result] = await eslint.lintText(`${importLine}\nexport const used = value;\n`, {
    filePath: join(SRC, file),
  });
  return (result?.messages ?? [])
    .filter((message) => message.ruleId === rule)
    .map((message) => message.message);
}

describe('web import direction', () => {
  it('keeps shared code free of features and app', async () => {
    expect(
      await problems('lib/format.ts', "import { value } from '../features/pool/lib/vmActions';"),
    ).toEqual([expect.stringContaining('must not import a feature')]);
    expect(
      await problems('components/Thing.tsx', "import { value } from '../features/pool';"),
    ).toEqual([expect.stringContaining('must not import a feature')]);
    expect(await problems('hooks/useThing.ts', "import { value } from '../app/Layout';")).toEqual([
      expect.stringContaining('Only app/ composes'),
    ]);
    expect(
      await problems('lib/thing.ts', "import { value } from '../components/StateBox';"),
    ).toEqual([]);
  });

  it('lets a feature use another feature only through its index', async () => {
    const file = 'features/competitions/components/Thing.tsx';
    expect(await problems(file, "import { value } from '../../pool';")).toEqual([]);
    expect(await problems(file, "import { value } from '../../pool/index';")).toEqual([]);
    expect(await problems(file, "import { value } from '../../pool/lib/vmReadiness';")).toEqual([
      expect.stringContaining('use "features/pool"'),
    ]);
    expect(await problems(file, "export { value } from '../../pool/hooks/useVMPool';")).toEqual([
      expect.stringContaining('use "features/pool"'),
    ]);
    // Its own files, and shared code, are fine.
    expect(await problems(file, "import { value } from '../hooks/useCompetitions';")).toEqual([]);
    expect(await problems(file, "import { value } from '../../../lib/format';")).toEqual([]);
  });

  it('lets only app compose pages and routes', async () => {
    expect(
      await problems(
        'features/pool/components/Thing.tsx',
        "import { value } from '../../../app/Layout';",
      ),
    ).toEqual([expect.stringContaining('Only app/ composes')]);
    expect(await problems('app/routes/Page.tsx', "import { value } from '../Layout';")).toEqual([]);
    expect(
      await problems('app/routes/Page.tsx', "import { value } from '../../features/pool';"),
    ).toEqual([]);
    expect(
      await problems(
        'app/routes/Page.tsx',
        "import { value } from '../../features/pool/api/pool';",
      ),
    ).toEqual([expect.stringContaining('use "features/pool"')]);
  });

  it('keeps test support out of the app', async () => {
    const line = "import { value } from '../../../testing/fixtures';";
    expect(await problems('features/pool/components/Thing.tsx', line)).toEqual([
      expect.stringContaining('testing/ is for tests'),
    ]);
    expect(await problems('features/pool/components/Thing.test.tsx', line)).toEqual([]);
  });

  it('leaves the database SDK to the api/ modules and lib/', async () => {
    const rule = '@typescript-eslint/no-restricted-imports';
    const sdk = "import { onValue as value } from 'firebase/database';";
    expect(await problems('features/pool/components/Thing.tsx', sdk, rule)).toEqual([
      expect.stringContaining("through the feature's api/ module"),
    ]);
    expect(await problems('app/routes/Page.tsx', sdk, rule)).toHaveLength(1);
    expect(await problems('features/pool/api/thing.ts', sdk, rule)).toEqual([]);
    expect(await problems('lib/thing.ts', sdk, rule)).toEqual([]);
    const typeOnly = "import type { Database as value } from 'firebase/database';";
    expect(await problems('features/pool/hooks/useThing.ts', typeOnly, rule)).toEqual([]);
  });
});
