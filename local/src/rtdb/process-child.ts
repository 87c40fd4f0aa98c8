/**
 * The server process of `startRtdbServerProcess` (process.ts): starts the server with the
 * options its parent sends, answers its calls, and stops when told to or when the parent is
 * gone (the IPC channel closed).
 */
import { startRtdbServer, type RtdbServer } from './index';
import type { ChildCall, FromChild, ToChild } from './process';

let server: RtdbServer | null = null;
let stopping: Promise<void> | null = null;

function send(message: FromChild): void {
  if (process.connected) process.send?.(message);
}

async function stop(code: number): Promise<void> {
  stopping ??= (async () => {
    try {
      await server?.stop();
    } finally {
      process.exit(code);
    }
  })();
  return stopping;
}

async function answer(call: ChildCall): Promise<unknown> {
  if (server === null) throw new Error('the server is not running');
  switch (call.kind) {
    case 'stop':
      await server.stop();
      return null;
    case 'reloadRules':
      await server.reloadRules(call.rules);
      return null;
    case 'exportData':
      return server.exportData(call.ns);
    case 'importData':
      server.importData(call.ns, call.data);
      return null;
    case 'connectionCount':
      return server.connectionCount;
  }
}

process.on('message', (raw) => {
  const message = raw as ToChild;
  if (message.type === 'start') {
    startRtdbServer(message.options).then(
      (started) => {
        server = started;
        send({ type: 'ready', port: started.port, url: started.url });
      },
      (error: unknown) => {
        send({ type: 'failed', error: String(error) });
        process.exit(1);
      },
    );
    return;
  }
  const { id, call } = message;
  answer(call).then(
    (value) => {
      send({ type: 'result', id, value });
      if (call.kind === 'stop') void stop(0);
    },
    (error: unknown) => send({ type: 'result', id, error: String(error) }),
  );
});

// The parent exited or died: stop as after a SIGTERM (data saved, onDisconnect operations run).
process.on('disconnect', () => void stop(0));
// A Ctrl-C or a SIGTERM to the process group reaches this process too: while the parent is
// there it decides when the database stops (last, after its clients), as when the server ran
// inside it; without a parent, stop.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (!process.connected) void stop(0);
  });
}
