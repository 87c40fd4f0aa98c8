import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The dev server binds to loopback by default; the local stack passes its own port.
function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be a port number (0..65535), got "${raw}"`);
  }
  return port;
}

const host = process.env.VMPOOL_WEB_HOST ?? '127.0.0.1';
const port = portFromEnv('VMPOOL_WEB_PORT', 5173);
// The local stack's HTTPS API: served under /api/ on the web app's own origin, as Hosting's
// /api/** rewrite does in production.
const apiTarget = process.env.VMPOOL_API_TARGET;
const proxy = apiTarget ? { '/api': { target: apiTarget, changeOrigin: false } } : undefined;

export default defineConfig({
  plugins: [react()],
  server: { host, port, strictPort: true, proxy },
  preview: { host, port, strictPort: true, proxy },
  // The firebase SDK (auth + database) and zod are most of the bundle; one chunk is fine for
  // an operator tool that is loaded once per session.
  build: { outDir: 'dist', sourcemap: true, chunkSizeWarningLimit: 900 },
});
