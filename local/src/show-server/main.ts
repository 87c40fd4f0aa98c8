// `tsx local/src/show-server/main.ts --port 3003 [--host 127.0.0.1] [--obs-restart-ms 1500]
//  [--obs-websocket-port 4455] [--obs-websocket-password secret] [--obs-config-dir DIR]`: the show server and, on the
// same host, the OBS stand-in (obs-websocket v5).
import { parseArgs } from 'node:util';
import { startShowServer } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '3003' },
    host: { type: 'string', default: '127.0.0.1' },
    'obs-restart-ms': { type: 'string', default: '1500' },
    'obs-websocket-port': { type: 'string', default: '4455' },
    'obs-websocket-password': { type: 'string' },
    'obs-config-dir': { type: 'string' },
  },
});
const errors: string[] = [];
const port = Number(values.port);
const obsRestartMs = Number(values['obs-restart-ms']);
if (!Number.isInteger(port) || port < 0 || port > 65535)
  errors.push(`--port must be 0..65535, got ${values.port}`);
const obsWebsocketPort = Number(values['obs-websocket-port']);
if (!Number.isInteger(obsWebsocketPort) || obsWebsocketPort < 0 || obsWebsocketPort > 65535)
  errors.push(`--obs-websocket-port must be 0..65535, got ${values['obs-websocket-port']}`);
if (!Number.isInteger(obsRestartMs) || obsRestartMs < 0)
  errors.push('--obs-restart-ms must be a non-negative integer');
if (errors.length > 0) {
  console.error(`show-server: invalid arguments:\n  ${errors.join('\n  ')}`);
  process.exit(2);
}

const password = values['obs-websocket-password'];
const server = await startShowServer({
  port,
  host: values.host,
  obsRestartMs,
  obsWebsocketPort,
  ...(password ? { obsWebsocketPassword: password } : {}),
  ...(values['obs-config-dir'] ? { obsConfigDir: values['obs-config-dir'] } : {}),
});
console.log(`show-server listening on ${server.url}; OBS stand-in on ${server.obsWebsocketUrl}`);
const shutdown = (): void => {
  void server.stop().then(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
