// Entry point: `npm run agent -- --local --vm-id vm-001 --database-url "http://127.0.0.1:9000?ns=demo-vmpool" --show-server http://127.0.0.1:3003`
// or, on a VM, `node agent.mjs --config /etc/vmpool/agent.json`.
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configFileFlag, describeConfig, parseConfig } from './config/config';
import { startAgent, type RunningAgent } from './runtime/agent';
import { consoleLogger } from './runtime/logger';

function loadConfigFile(argv: readonly string[]): unknown {
  const path = configFileFlag(argv);
  if (path === undefined) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    console.error(`vmpool-agent: cannot read config file ${path}: ${(error as Error).message}`);
    process.exit(2);
  }
}

const argv = process.argv.slice(2);
const parsed = parseConfig(argv, loadConfigFile(argv));
if (!parsed.ok) {
  console.error(`vmpool-agent: invalid configuration:\n  ${parsed.errors.join('\n  ')}`);
  process.exit(2);
}
// A local VM keeps the agent's log beside its units' logs, for `view_logs` with unit agent.
const localLog =
  parsed.config.mode === 'local'
    ? (mkdirSync(join(parsed.config.vmDir, 'logs'), { recursive: true }),
      createWriteStream(join(parsed.config.vmDir, 'logs', 'vmpool-agent.log'), { flags: 'a' }))
    : undefined;
const log = consoleLogger(parsed.config.logLevel, {}, (line) => {
  process.stdout.write(line);
  localLog?.write(line);
});
log.info('configuration', { config: describeConfig(parsed.config) });

const { NOTIFY_SOCKET, WATCHDOG_USEC } = process.env;
const running: { agent?: RunningAgent } = {};
let exiting = false;
// Installed before start-up: a VM may be stopped while the agent still waits for its token.
const shutdown = (signal: string): void => {
  if (exiting) return;
  exiting = true;
  log.info(`${signal} received; going offline`);
  const agent = running.agent;
  if (!agent) process.exit(0);
  const forced = setTimeout(() => process.exit(1), 15_000);
  forced.unref();
  void agent.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      log.error('shutdown failed', { error });
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('unhandledRejection', (error) => log.error('unhandled rejection', { error }));

running.agent = await startAgent(parsed.config, log, { NOTIFY_SOCKET, WATCHDOG_USEC });
