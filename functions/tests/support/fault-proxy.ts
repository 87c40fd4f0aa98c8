import {
  createServer,
  request,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One AWS call as the proxy saw it: its operation and, for Query APIs, its form fields. */
export interface SeenCall {
  action: string;
  params: URLSearchParams;
  /** The request's headers (signature, security token). */
  headers: IncomingHttpHeaders;
}

/** What the proxy does with a call: pass it to moto, answer with an AWS error, or hang up. */
export type FaultDecision =
  | { kind: 'pass' }
  | { kind: 'error'; status: number; code: string; message: string }
  | { kind: 'drop' }
  /** Answers with this EC2 (XML) body, e.g. what EC2 says of an impaired instance (moto cannot). */
  | { kind: 'answer'; status: number; body: string };

/**
 * A loopback HTTP proxy in front of moto that injects faults the way EC2 reports them: an
 * error XML body with a real status code, or a connection closed without an answer.
 */
export interface FaultProxy {
  endpoint: string;
  seen: SeenCall[];
  setRule(rule: (call: SeenCall) => FaultDecision): void;
  close(): Promise<void>;
}

export function ec2ErrorXml(code: string, message: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors>` +
    '<RequestID>00000000-0000-0000-0000-000000000000</RequestID></Response>'
  );
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startFaultProxy(targetEndpoint: string): Promise<FaultProxy> {
  const upstreamUrl = new URL(targetEndpoint);
  const seen: SeenCall[] = [];
  let rule: (call: SeenCall) => FaultDecision = () => ({ kind: 'pass' });

  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      // EC2 speaks the Query protocol (form body, XML answers); SSM speaks JSON 1.1 with the
      // operation in X-Amz-Target and errors as {"__type": code}.
      const target = req.headers['x-amz-target'];
      const json = typeof target === 'string';
      const params = json ? new URLSearchParams() : new URLSearchParams(body.toString('utf8'));
      const action = json ? (target.split('.').pop() ?? '') : (params.get('Action') ?? '');
      const call = { action, params, headers: req.headers };
      seen.push(call);
      const decision = rule(call);
      if (decision.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (decision.kind === 'answer') {
        res.writeHead(decision.status, { 'content-type': 'text/xml;charset=UTF-8' });
        res.end(decision.body);
        return;
      }
      if (decision.kind === 'error') {
        if (json) {
          res.writeHead(decision.status, {
            'content-type': 'application/x-amz-json-1.1',
            'x-amzn-errortype': decision.code,
          });
          res.end(JSON.stringify({ __type: decision.code, message: decision.message }));
        } else {
          res.writeHead(decision.status, { 'content-type': 'text/xml;charset=UTF-8' });
          res.end(ec2ErrorXml(decision.code, decision.message));
        }
        return;
      }
      const upstream = request(
        {
          host: upstreamUrl.hostname,
          port: upstreamUrl.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    setRule: (next) => {
      rule = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
