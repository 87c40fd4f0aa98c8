// The executable side of vmctl (see vmctl.ts): exit codes follow systemctl's.
import { UsageError, vmctl } from './vmctl';

vmctl(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error).message);
    process.exit(error instanceof UsageError ? error.exitCode : 1);
  },
);
