/**
 * The control-plane bench's op-counting proxy (rtdb-op-counter.ts) in its own process, so that
 * its parsing and its copy of every byte neither take the functions host's CPU nor count in
 * the host's "CPU per assign" (issue 17): in production nothing stands between the two. The
 * parent starts a proxy to the RTDB server's port, reads its counts, closes it.
 */
import { startOpCountingProxy, type OpCountingProxy } from './rtdb-op-counter';

export type OpCounterCall =
  | { readonly kind: 'start'; readonly serverPort: number; readonly log: boolean }
  | { readonly kind: 'counts'; readonly proxy: number }
  | { readonly kind: 'close'; readonly proxy: number };
export interface OpCounterReply {
  readonly id: number;
  readonly value?: unknown;
  readonly error?: string;
}

const proxies = new Map<number, OpCountingProxy>();
let nextProxy = 0;

async function answer(call: OpCounterCall): Promise<unknown> {
  switch (call.kind) {
    case 'start': {
      const proxy = await startOpCountingProxy(
        call.serverPort,
        // BENCH_RTDB_LOG=1: every request the control plane sends, as it goes (for profiling).
        call.log ? (request) => console.log(request.slice(0, 200)) : undefined,
      );
      nextProxy += 1;
      proxies.set(nextProxy, proxy);
      return { proxy: nextProxy, port: proxy.port };
    }
    case 'counts': {
      const proxy = proxies.get(call.proxy);
      if (proxy === undefined) throw new Error(`no proxy ${call.proxy}`);
      return proxy.counts();
    }
    case 'close': {
      const proxy = proxies.get(call.proxy);
      proxies.delete(call.proxy);
      await proxy?.close();
      return null;
    }
  }
}

process.on('message', (raw) => {
  const { id, call } = raw as { id: number; call: OpCounterCall };
  answer(call).then(
    (value) => process.send?.({ id, value } satisfies OpCounterReply),
    (error: unknown) => process.send?.({ id, error: String(error) } satisfies OpCounterReply),
  );
});
process.on('disconnect', () => process.exit(0));
