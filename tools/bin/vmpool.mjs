#!/usr/bin/env node
// The `vmpool` npm bin: runs the TypeScript CLI through tsx (a dev dependency of the repo).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/cli.ts');
