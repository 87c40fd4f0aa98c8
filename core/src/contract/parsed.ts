import type { z } from 'zod';

/** The result of every validator in core: a value, or every problem found at once. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: string[] };

export function ok<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function fail<T = never>(errors: string[]): Parsed<T> {
  return { ok: false, errors };
}

function describePath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}

const EXPECTED: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  record: 'an object',
};

function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${EXPECTED[issue.expected] ?? issue.expected}`;
    case 'invalid_key':
      return `invalid key ${JSON.stringify(issue.input)} (${issue.issues.map(describeIssue).join('; ')})`;
    case 'too_small':
      if (issue.origin === 'string') return `must be at least ${String(issue.minimum)} characters`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `must have at least ${String(issue.minimum)} items`;
      return `must be ${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'string') return `must be at most ${String(issue.maximum)} characters`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `must have at most ${String(issue.maximum)} items`;
      return `must be ${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'invalid_format':
      return issue.message;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    default:
      return issue.message;
  }
}

/** Turns zod issues into `path: problem` lines, one per issue, in a stable order. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((issue) => {
    // A bad record key is reported against the record, not against a path ending in itself.
    const path = issue.code === 'invalid_key' ? issue.path.slice(0, -1) : issue.path;
    return `${describePath(path)}: ${describeIssue(issue)}`;
  });
}

/** Runs a zod schema and converts its outcome into a `Parsed`. */
export function parseWith<T>(schema: z.ZodType<T>, raw: unknown): Parsed<T> {
  const result = schema.safeParse(raw, { reportInput: true });
  return result.success ? ok(result.data) : fail(formatIssues(result.error.issues));
}
