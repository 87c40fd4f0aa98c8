/** Database paths: parsing, validation and relations between paths. */

export type Path = readonly string[];

export class InvalidInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

export const PRIORITY_KEY = '.priority';
export const MAX_KEY_BYTES = 768;

// `.#$[]`, `/` inside a key, ASCII control characters and DEL are illegal.
// eslint-disable-next-line no-control-regex
const ILLEGAL_KEY = /[.#$[\]/\u0000-\u001f\u007f]/;

export function keyProblem(key: string): string | null {
  if (key.length === 0) return 'empty key';
  if (ILLEGAL_KEY.test(key)) return `key "${printable(key)}" contains an illegal character`;
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return 'key longer than 768 bytes';
  return null;
}

function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.slice(0, 80).replace(/[\u0000-\u001f\u007f]/g, '?');
}

/**
 * Parses a request path such as "/a/b" (empty segments are ignored).
 * `allowPriority` accepts a trailing `.priority` segment (only writes use it).
 */
export function parsePath(raw: unknown, allowPriority = false): Path {
  if (typeof raw !== 'string') throw new InvalidInputError('path must be a string');
  if (raw.length > 32 * 1024) throw new InvalidInputError('path too long');
  const segments = raw.split('/').filter((s) => s.length > 0);
  if (segments.length > 64) throw new InvalidInputError('path too deep');
  segments.forEach((segment, i) => {
    if (allowPriority && segment === PRIORITY_KEY && i === segments.length - 1) return;
    const problem = keyProblem(segment);
    if (problem !== null)
      throw new InvalidInputError(`invalid path "${printable(raw)}": ${problem}`);
  });
  return segments;
}

export function pathToString(path: Path): string {
  return '/' + path.join('/');
}

/** True when `a` is `b` or an ancestor of `b`. */
export function isPrefix(a: Path, b: Path): boolean {
  if (a.length > b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** True when one of the paths contains the other. */
export function related(a: Path, b: Path): boolean {
  return a.length <= b.length ? isPrefix(a, b) : isPrefix(b, a);
}

export function isPriorityPath(path: Path): boolean {
  return path.length > 0 && path[path.length - 1] === PRIORITY_KEY;
}

/** The node a write applies to: a `.priority` write changes its parent. */
export function nodePathOf(path: Path): Path {
  return isPriorityPath(path) ? path.slice(0, -1) : path;
}
