// Real HTTP stand-ins on 127.0.0.1 for the two services an agent talks to at boot: EC2's
// instance metadata service (IMDSv2: token PUT, then GETs carrying the token) and the
// agentToken function.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface StandIn {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<StandIn & { server: Server }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
      handler(req, res, body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    server,
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export interface ImdsData {
  document: Record<string, unknown>;
  signature: string;
  publicIp: string | null;
}

export async function startImds(data: ImdsData): Promise<StandIn> {
  const token = 'imds-session-token';
  return listen((req, res) => {
    if (req.method === 'PUT' && req.url === '/latest/api/token') {
      if (!req.headers['x-aws-ec2-metadata-token-ttl-seconds']) return end(res, 400, 'missing ttl');
      return end(res, 200, token);
    }
    // IMDSv2 only: every GET must carry the session token.
    if (req.headers['x-aws-ec2-metadata-token'] !== token) return end(res, 401, 'Unauthorized');
    const document = data.document;
    const routes: Record<string, string | null> = {
      '/latest/dynamic/instance-identity/document': JSON.stringify(document, null, 2),
      '/latest/dynamic/instance-identity/signature': data.signature,
      '/latest/meta-data/public-ipv4': data.publicIp,
      '/latest/meta-data/local-ipv4':
        typeof document.privateIp === 'string' ? document.privateIp : null,
    };
    const body = routes[req.url ?? ''];
    if (body == null) return end(res, 404, 'Not Found');
    end(res, 200, body);
  });
}

export type TokenReply = { status: number; body: unknown; date?: string };

/** Answers each agentToken call with the next reply; the last one repeats. */
export async function startTokenFunction(
  replies: TokenReply[],
): Promise<StandIn & { bodies: unknown[] }> {
  const bodies: unknown[] = [];
  let index = 0;
  const standIn = await listen((req, res, body) => {
    if (req.method !== 'POST' || req.url !== '/agentToken') return end(res, 404, 'no route');
    bodies.push(JSON.parse(body) as unknown);
    const reply = replies[Math.min(index, replies.length - 1)];
    index += 1;
    if (!reply) return end(res, 500, 'no reply configured');
    const text = JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      ...(reply.date ? { date: reply.date } : {}),
    });
    res.end(text);
  });
  return Object.assign(standIn, { bodies });
}

function end(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' });
  res.end(body);
}
