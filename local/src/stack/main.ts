// `npm start [-- --headless] [-- --help]`: the whole vmpool on this machine (see local/README.md).
import { consoleLogger } from './logger';
import { maskWebhookUrl } from '@vmpool/functions/host';
import { parseStackConfig, usage } from './config';
import { DEMO_PASSWORD, DEMO_USERS } from './seed';
import { startStack } from './stack';

const parsed = parseStackConfig(process.argv.slice(2), process.env, process.cwd());
if (parsed.ok === 'help') {
  console.log(usage());
  process.exit(0);
}
if (!parsed.ok) {
  console.error(`vmpool: invalid options:\n  ${parsed.errors.join('\n  ')}\n\n${usage()}`);
  process.exit(2);
}
const config = parsed.config;
const log = consoleLogger('info', {});

let stopping = false;
let firstSignalAt = 0;
const starting = startStack(config, log);
const shutdown = (signal: string): void => {
  if (stopping) {
    // tsx relays the terminal's Ctrl-C as well, so one keypress can arrive twice: only a
    // later, deliberate second Ctrl-C skips the orderly stop (and still kills every child).
    if (Date.now() - firstSignalAt < 3000) return;
    console.error(`${signal} again: killing everything now`);
    void starting.then((stack) => stack.killNow()).finally(() => process.exit(130));
    return;
  }
  stopping = true;
  firstSignalAt = Date.now();
  console.error(`${signal}: stopping vmpool…`);
  // A signal during start-up waits for the parts that are starting, then stops them all.
  const done = starting.then(
    (stack) => stack.stop(),
    () => undefined,
  );
  void done.then(
    () => {
      console.error('vmpool stopped');
      process.exit(0);
    },
    (error: unknown) => {
      console.error(`vmpool: stopping failed: ${(error as Error).message}`);
      process.exit(1);
    },
  );
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));

let stack: Awaited<typeof starting>;
try {
  stack = await starting;
} catch (error) {
  console.error(`vmpool: could not start: ${(error as Error).message}`);
  process.exit(1);
}
if (stopping) await new Promise(() => undefined);

const lines = [
  '',
  stack.webUrl === null
    ? '  web app       (headless: not started)'
    : `  web app       ${stack.webUrl}`,
  stack.webUrl === null
    ? `  HTTPS API     ${stack.apiUrl}/api/   (Bearer <ID token from the auth emulator>)`
    : `  HTTPS API     ${stack.webUrl}api/   (also ${stack.apiUrl}/api/; Bearer <ID token>)`,
  `  database      ${stack.databaseUrl}   (${config.rulesProfile} rules)`,
  `  auth emulator ${stack.authEmulatorHost}`,
  `  VMs           ${stack.controlUrl}/__local/vms   (POST /__local/vms/<vmId>/kill-agent kills an agent)`,
  config.alertWebhook === null
    ? '  alert webhook (none: --alert-webhook URL posts alerts to Discord or Slack)'
    : `  alert webhook ${maskWebhookUrl(config.alertWebhook)}   (${config.alertLevels.join(', ') || 'no levels'})`,
  `  data          ${config.dataDir}`,
  '',
  '  demo logins (password for both: ' + DEMO_PASSWORD + ')',
  ...DEMO_USERS.map((user) => `    ${user.role.padEnd(9)} ${user.email}`),
  '',
  'vmpool is ready (Ctrl-C stops everything)',
];
console.log(lines.join('\n'));
