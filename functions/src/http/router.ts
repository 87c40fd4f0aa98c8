import type { Caller } from './caller';
import { HttpError } from './caller';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteContext {
  caller: Caller;
  params: Record<string, string>;
  body: unknown;
}

export interface RouteAnswer {
  status: number;
  body: unknown;
}

export interface Route {
  method: Method;
  /** e.g. `/admin/vm-pool/:vmId/start`; each `:name` matches one segment against `params[name]` */
  path: string;
  params?: Record<string, RegExp>;
  /** whether the route reads a JSON body */
  hasBody?: boolean;
  handle(context: RouteContext): Promise<RouteAnswer>;
}

function matchPath(route: Route, segments: string[]): Record<string, string> | null {
  const pattern = route.path.split('/').filter(Boolean);
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (const [index, part] of pattern.entries()) {
    const segment = segments[index] ?? '';
    if (part.startsWith(':')) {
      const name = part.slice(1);
      const shape = route.params?.[name];
      if (shape && !shape.test(segment)) return null;
      params[name] = segment;
    } else if (part !== segment) {
      return null;
    }
  }
  return params;
}

/**
 * Finds the route for a path: 404 when no route has that path, 405 (with Allow) when some do
 * but not for this method. The optional leading `/api` is ignored so that the function works
 * both behind a Hosting rewrite and at its own URL.
 */
export function resolveRoute(
  routes: readonly Route[],
  method: string,
  rawPath: string,
): { route: Route; params: Record<string, string> } {
  let segments: string[];
  try {
    segments = rawPath.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    throw new HttpError(400, 'INVALID_PATH', `The path ${rawPath} is not valid`);
  }
  if (segments[0] === 'api') segments = segments.slice(1);
  const candidates = routes
    .map((route) => ({ route, params: matchPath(route, segments) }))
    .filter(
      (candidate): candidate is { route: Route; params: Record<string, string> } =>
        candidate.params !== null,
    );
  if (candidates.length === 0) {
    throw new HttpError(404, 'NOT_FOUND', `No API route ${method} /api/${segments.join('/')}`);
  }
  const chosen = candidates.find((candidate) => candidate.route.method === method);
  if (!chosen) {
    const allowed = [...new Set(candidates.map((candidate) => candidate.route.method))];
    throw new HttpError(
      405,
      'METHOD_NOT_ALLOWED',
      `${method} is not allowed here; use ${allowed.join(' or ')}`,
      undefined,
      { allow: allowed.join(', ') },
    );
  }
  return chosen;
}
