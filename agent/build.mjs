// Bundles the agent into one file for the AMI: node agent.mjs --config /etc/vmpool/agent.json
import { build } from 'esbuild';

const result = await build({
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  outfile: 'dist/agent.mjs',
  minify: true,
  sourcemap: false,
  legalComments: 'none',
  metafile: true,
  // Some bundled dependencies are CommonJS and call require() for Node built-ins.
  banner: {
    js: "import { createRequire as __vmpoolCreateRequire } from 'node:module'; const require = __vmpoolCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
const bytes = Object.values(result.metafile.outputs).reduce((sum, output) => sum + output.bytes, 0);
console.log(`agent bundle: dist/agent.mjs, ${(bytes / 1024 / 1024).toFixed(2)} MB`);
