// `npm run rules:build -- --profile strict|compat [--merge-with EXISTING_RULES.json] [--out FILE]`
// Exit 0 and one line saying what was written; exit 2 and one line per problem.
import { parseArgs } from 'node:util';
import { buildRules } from './build';

const USAGE =
  'usage: npm run rules:build -- [--profile strict|compat] [--merge-with EXISTING_RULES.json] [--out FILE]';

function main(argv: readonly string[]): number {
  let values: { profile?: string; 'merge-with'?: string; out?: string; help?: boolean };
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        profile: { type: 'string' },
        'merge-with': { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (error) {
    console.error(`rules:build: ${(error as Error).message}`);
    console.error(USAGE);
    return 2;
  }
  if (values.help === true) {
    console.log(USAGE);
    return 0;
  }
  // npm runs scripts from the repository root; paths the operator typed are theirs.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const result = buildRules({
    cwd,
    ...(values.profile === undefined ? {} : { profile: values.profile }),
    ...(values['merge-with'] === undefined ? {} : { mergeWith: values['merge-with'] }),
    ...(values.out === undefined ? {} : { out: values.out }),
  });
  if (!result.ok) {
    for (const error of result.errors) console.error(`rules:build: ${error}`);
    return 2;
  }
  console.log(result.summary);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
