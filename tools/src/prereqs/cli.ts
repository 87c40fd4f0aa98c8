// Run by `npm test` before anything else: exit 0 with one line when the machine has what the
// tests need, else exit 1 with one line naming what is missing and `npm run setup`.
import { findJava, missingLine, missingPrerequisites, systemProbe } from './index';

const probe = systemProbe();
const missing = missingPrerequisites(probe);
if (missing.length > 0) {
  console.error(missingLine(missing));
  process.exitCode = 1;
} else {
  const java = findJava(probe);
  console.log(
    `npm test: prerequisites found (Java ${String(java?.major)} at ${String(java?.java)})`,
  );
}
