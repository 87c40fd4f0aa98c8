import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A request as both hosts hand it over: Cloud Functions (express) has already read the body
 * into `rawBody` (and maybe parsed `body`); a plain node:http server has not read it yet.
 */
export type HttpRequest = IncomingMessage & { body?: unknown; rawBody?: Buffer };
export type HttpResponse = ServerResponse;

export interface HttpErrorBody {
  error: { code: string; message: string; details?: string[] };
}

export type JsonBody =
  { ok: true; value: unknown } | { ok: false; status: number; code: string; message: string };

export const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024;

async function readStream(req: IncomingMessage, limitBytes: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limitBytes) return null;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads a JSON body; an empty body is `undefined`. Oversized or malformed bodies are refused. */
export async function readJsonBody(
  req: HttpRequest,
  limitBytes = DEFAULT_BODY_LIMIT_BYTES,
): Promise<JsonBody> {
  const contentType = req.headers['content-type'] ?? '';
  let raw: Buffer | null;
  if (Buffer.isBuffer(req.rawBody)) {
    raw = req.rawBody.length > limitBytes ? null : req.rawBody;
  } else if (req.body !== undefined && !Buffer.isBuffer(req.body) && typeof req.body !== 'string') {
    return { ok: true, value: req.body };
  } else if (req.readableEnded) {
    raw = Buffer.from(typeof req.body === 'string' ? req.body : '');
  } else {
    raw = await readStream(req, limitBytes);
  }
  if (raw === null) {
    return {
      ok: false,
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
      message: `The body is larger than ${limitBytes} bytes`,
    };
  }
  const text = raw.toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  if (contentType !== '' && !/^application\/(.+\+)?json\b/i.test(contentType)) {
    return {
      ok: false,
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
      message: `Expected a JSON body (content-type application/json), got ${contentType}`,
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return {
      ok: false,
      status: 400,
      code: 'INVALID_JSON',
      message: `The body is not valid JSON: ${(error as Error).message}`,
    };
  }
}

export function sendJson(
  res: HttpResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(
  res: HttpResponse,
  status: number,
  code: string,
  message: string,
  extra: { details?: string[]; headers?: Record<string, string> } = {},
): void {
  const body: HttpErrorBody = {
    error: { code, message, ...(extra.details ? { details: extra.details } : {}) },
  };
  sendJson(res, status, body, extra.headers);
}
