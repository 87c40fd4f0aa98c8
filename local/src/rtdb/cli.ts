/**
 * `npm run rtdb -- --port 9000 --rules database.rules.json [--data FILE]`
 * Prints `listening on 127.0.0.1:PORT` when ready. SIGTERM/SIGINT stop it
 * (data saved), as does the exit of the process that launched it; SIGHUP or a
 * change of the rules file reloads the rules.
 */
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { startRtdbServer } from './index';

const USAGE = [
  'usage: rtdb [--port 9000] [--host 127.0.0.1] [--rules database.rules.json] [--data FILE]',
  '            [--allow-origin http://127.0.0.1:5173 ...] [--quiet]',
  '            [--max-message-bytes N] [--max-user-message-bytes N] [--max-update-paths N]',
  '            [--max-user-write-nodes N]',
  '            [--fragment-timeout-ms N] [--max-connections N] [--max-connections-per-ip N]',
].join('\n');

/** Numeric flags: name → the startRtdbServer option it sets. */
const NUMBER_FLAGS = {
  'max-message-bytes': 'maxMessageBytes',
  'max-user-message-bytes': 'maxUserMessageBytes',
  'max-update-paths': 'maxUpdatePaths',
  'max-user-write-nodes': 'maxUserWriteNodes',
  'fragment-timeout-ms': 'fragmentTimeoutMs',
  'max-connections': 'maxConnections',
  'max-connections-per-ip': 'maxConnectionsPerIp',
} as const;
type NumberFlag = keyof typeof NUMBER_FLAGS;

/** The parent pid of a process (Linux /proc), or null when unknown. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return Number.isInteger(ppid) ? ppid : null;
  } catch {
    return null;
  }
}

/**
 * Calls `onGone` when the process that launched us exits. `npm run rtdb` runs
 * `sh -c tsx …`: a SIGTERM to npm kills that shell but not tsx and this
 * process, which would keep the port forever. A reparented parent or
 * grandparent means the launcher is gone.
 */
function watchLauncher(onGone: () => void): void {
  const parent = process.ppid;
  const grandparent = parentOf(parent);
  const timer = setInterval(() => {
    const parentGone = process.ppid !== parent;
    const grandparentGone =
      grandparent !== null && grandparent > 1 && parentOf(parent) !== grandparent;
    if (parentGone || grandparentGone) {
      clearInterval(timer);
      onGone();
    }
  }, 1000);
  timer.unref();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '9000' },
      host: { type: 'string', default: '127.0.0.1' },
      rules: { type: 'string' },
      data: { type: 'string' },
      ...(Object.fromEntries(
        Object.keys(NUMBER_FLAGS).map((flag) => [flag, { type: 'string' }]),
      ) as Record<NumberFlag, { type: 'string' }>),
      'allow-origin': { type: 'string', multiple: true },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const problems: string[] = [];
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`bad --port ${values.port}`);
  const numbers: Partial<Record<(typeof NUMBER_FLAGS)[NumberFlag], number>> = {};
  for (const [flag, option] of Object.entries(NUMBER_FLAGS) as [NumberFlag, string][]) {
    const text = values[flag];
    if (text === undefined) continue;
    const n = Number(text);
    if (!Number.isSafeInteger(n) || n < 1) problems.push(`--${flag} must be a positive integer`);
    else numbers[option as (typeof NUMBER_FLAGS)[NumberFlag]] = n;
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  const server = await startRtdbServer({
    port,
    host: values.host,
    quiet: values.quiet,
    ...(values.rules === undefined ? {} : { rules: values.rules }),
    ...(values.data === undefined ? {} : { data: values.data }),
    ...numbers,
    allowedOrigins: values['allow-origin'] ?? [],
  });
  console.log(`listening on ${values.host}:${server.port}`);

  const reload = (why: string): void => {
    server.reloadRules().then(
      () => {
        if (!values.quiet) console.error(`[rtdb] rules reloaded (${why})`);
      },
      (e: unknown) => console.error(`[rtdb] rules not reloaded (${why}): ${String(e)}`),
    );
  };
  let watcher: FSWatcher | null = null;
  let debounce: NodeJS.Timeout | null = null;
  if (values.rules !== undefined) {
    // Watch the folder: editors often replace the file (rename), which ends a file watch.
    const name = basename(values.rules);
    watcher = watch(dirname(values.rules), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      if (debounce !== null) clearTimeout(debounce);
      debounce = setTimeout(() => reload('file changed'), 100);
    });
    watcher.on('error', () => undefined);
  }
  process.on('SIGHUP', () => reload('SIGHUP'));
  // Last resort: a bug must not take the database down for every client.
  process.on('uncaughtException', (e) => console.error(`[rtdb] uncaught: ${e.stack ?? String(e)}`));
  const shutdown = (): void => {
    watcher?.close();
    if (debounce !== null) clearTimeout(debounce);
    server.stop().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(`[rtdb] stop failed: ${String(e)}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  watchLauncher(() => {
    console.error('[rtdb] the launching process exited; stopping');
    shutdown();
  });
}

main().catch((e: unknown) => {
  console.error(`[rtdb] ${e instanceof Error ? e.message : String(e)}`);
  console.error(USAGE);
  process.exit(1);
});
