import { connect } from 'node:net';

export interface TcpProbe {
  open: boolean;
  latencyMs: number | null;
  error: string | null;
}

/** Opens and closes a TCP connection; says whether something listens on host:port. */
export function probeTcp(host: string, port: number, timeoutMs = 2_000): Promise<TcpProbe> {
  const started = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const finish = (result: TcpProbe): void => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () =>
      finish({ open: false, latencyMs: null, error: `no answer in ${timeoutMs} ms` }),
    );
    socket.once('connect', () =>
      finish({ open: true, latencyMs: Math.round(performance.now() - started), error: null }),
    );
    socket.once('error', (error: NodeJS.ErrnoException) =>
      finish({ open: false, latencyMs: null, error: error.code ?? error.message }),
    );
  });
}
