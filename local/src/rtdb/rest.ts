/**
 * A small REST API like the emulator's: `GET|PUT|PATCH|POST|DELETE /<path>.json?ns=NS`
 * and `GET|PUT /.settings/rules.json`. `Authorization: Bearer owner` (or `?auth=owner`)
 * is the admin; a JWT is a user; nothing is unauthenticated.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN, ANONYMOUS, authenticate, type Principal } from './auth';
import type { Namespace, Outcome } from './namespace';
import { InvalidInputError, parsePath } from './paths';
import { DEFAULT_QUERY } from './query';
import type { ClientOrigin } from './session';
import { exportNode, getNode, plainValue, type Json } from './tree';

export interface RestContext {
  namespace(name: string): Namespace;
  readonly clock: () => number;
  /** Largest body from the owner, or from anyone while no rules are in force. */
  readonly maxBodyBytes: number;
  /** Largest body from a rules-checked client. */
  readonly maxUserBodyBytes: number;
  /** Which web page (if any) sent the request: foreign pages may not present credentials. */
  readonly client: ClientOrigin;
  /** The rules definition in force for a namespace (null = allow everything). */
  getRules(namespace: string): object | null;
  /** Sets the rules of one namespace. */
  setRules(namespace: string, definition: object): void;
}

function send(res: ServerResponse, status: number, body: unknown, pretty = false): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(pretty ? JSON.stringify(body, null, 2) + '\n' : JSON.stringify(body));
}

/** `?shallow=true`: children become `true` (primitives stay as they are). */
function shallow(value: Json): Json {
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).map((key) => [key, true]));
}

class BodyTooLargeError extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLargeError(`request body larger than ${limit} bytes`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError(`request body larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

type PrincipalResult = { principal: Principal } | { error: string };

function principalOf(req: IncomingMessage, url: URL, client: ClientOrigin): PrincipalResult {
  const header = req.headers.authorization;
  const token = header?.startsWith('Bearer ') ? header.slice(7) : url.searchParams.get('auth');
  if (token === null || token === undefined || token === '') return { principal: ANONYMOUS };
  if (!client.mayAuthenticate) {
    return {
      error: `credentials are not accepted from the web origin ${client.origin ?? 'unknown'}: only the local web app may sign in to this server`,
    };
  }
  if (token === 'owner') return { principal: ADMIN };
  const result = authenticate({ cred: token });
  return result.ok ? { principal: result.principal } : { error: 'Could not parse auth token.' };
}

function statusOf(outcome: Outcome): number {
  if (outcome.status === 'ok') return 200;
  if (outcome.status === 'permission_denied') return 401;
  return outcome.status === 'too_big' ? 413 : 409;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidInputError('Invalid data; couldn’t parse JSON object');
  }
}

/** Handles one REST request; never throws. */
export async function handleRest(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: RestContext,
): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const who = principalOf(req, url, ctx.client);
    if ('error' in who) {
      send(res, 401, { error: who.error });
      return;
    }
    const principal = who.principal;
    const method = req.method ?? 'GET';
    const nsName = url.searchParams.get('ns') ?? '';
    const bodyLimit = ctx.namespace(nsName).checksWritesOf(principal)
      ? ctx.maxUserBodyBytes
      : ctx.maxBodyBytes;
    if (url.pathname === '/.settings/rules.json') {
      if (principal.kind !== 'admin') {
        send(res, 401, { error: 'Permission denied' });
      } else if (method === 'GET') {
        send(res, 200, ctx.getRules(nsName) ?? { rules: { '.read': true, '.write': true } });
      } else if (method === 'PUT') {
        const definition = parseJson(await readBody(req, bodyLimit));
        if (typeof definition !== 'object' || definition === null) {
          throw new InvalidInputError('rules must be an object');
        }
        try {
          ctx.setRules(nsName, definition);
        } catch (e) {
          throw new InvalidInputError(
            `invalid rules: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
        send(res, 200, { status: 'ok' });
      } else {
        send(res, 405, { error: 'Method not allowed' });
      }
      return;
    }
    if (!url.pathname.endsWith('.json')) {
      send(res, 404, { error: 'Not found' });
      return;
    }
    const path = parsePath(decodeURIComponent(url.pathname.slice(0, -'.json'.length)), true);
    const ns = ctx.namespace(nsName);
    const now = ctx.clock();
    switch (method) {
      case 'GET': {
        const outcome = ns.get(principal, path, DEFAULT_QUERY, now);
        if (outcome.status !== 'ok') {
          send(res, statusOf(outcome), { error: outcome.reason });
          return;
        }
        const node = getNode(ns.root, path);
        const value =
          url.searchParams.get('format') === 'export' ? exportNode(node) : plainValue(node);
        const pretty = url.searchParams.get('print') === 'pretty';
        send(res, 200, url.searchParams.get('shallow') === 'true' ? shallow(value) : value, pretty);
        return;
      }
      case 'PUT':
      case 'PATCH':
      case 'POST':
      case 'DELETE': {
        const body = method === 'DELETE' ? null : parseJson(await readBody(req, bodyLimit));
        let target = path;
        let outcome: Outcome;
        if (method === 'PATCH') {
          outcome = ns.update(principal, path, body, now);
        } else {
          if (method === 'POST') target = [...path, pushId(now)];
          outcome = ns.set(principal, target, body, now);
        }
        if (outcome.status !== 'ok') {
          send(res, statusOf(outcome), { error: outcome.reason });
          return;
        }
        if (method === 'POST') send(res, 200, { name: target[target.length - 1] });
        else
          send(res, 200, (method === 'DELETE' ? null : plainValue(getNode(ns.root, path))) as Json);
        return;
      }
      default:
        send(res, 405, { error: 'Method not allowed' });
    }
  } catch (e) {
    if (e instanceof InvalidInputError) send(res, 400, { error: e.message });
    else if (e instanceof BodyTooLargeError) send(res, 413, { error: e.message });
    else send(res, 500, { error: 'Internal error' });
  }
}

const PUSH_CHARS = '-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz';

/** A push id: 8 characters of time, 12 random (sorts by time like the SDK's). */
function pushId(now: number): string {
  let id = '';
  let t = now;
  for (let i = 0; i < 8; i++) {
    id = PUSH_CHARS.charAt(t % 64) + id;
    t = Math.floor(t / 64);
  }
  for (const byte of randomBytes(12)) id += PUSH_CHARS.charAt(byte % 64);
  return id;
}
