/**
 * The onDisconnect operations queued by one connection, kept as the client
 * keeps them: cancelling a path drops the operations at or below it and removes
 * that path from the values of operations queued above it.
 */
import { isPrefix, type Path } from './paths';

export interface QueuedWrite {
  readonly kind: 'set' | 'merge';
  readonly path: Path;
  /** The client's data, unresolved (server values resolve when it runs). */
  readonly data: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy of `raw` without the child at `rel` (null when `rel` is empty). */
export function withoutChild(raw: unknown, rel: Path): unknown {
  if (rel.length === 0) return null;
  let container: Record<string, unknown>;
  if (Array.isArray(raw)) container = Object.fromEntries(raw.entries());
  else if (isPlainObject(raw) && !('.sv' in raw) && !('.value' in raw)) container = { ...raw };
  else return raw;
  const [key, ...rest] = rel as [string, ...string[]];
  if (!(key in container)) return raw;
  const child = withoutChild(container[key], rest);
  if (child === null) delete container[key];
  else container[key] = child;
  return container;
}

export class DisconnectQueue {
  private ops: QueuedWrite[] = [];

  add(op: QueuedWrite): void {
    this.ops.push(op);
  }

  cancel(path: Path): void {
    const kept: QueuedWrite[] = [];
    for (const op of this.ops) {
      if (isPrefix(path, op.path)) continue;
      if (!isPrefix(op.path, path)) {
        kept.push(op);
        continue;
      }
      const rel = path.slice(op.path.length);
      if (op.kind === 'set') {
        kept.push({ ...op, data: withoutChild(op.data, rel) });
        continue;
      }
      if (!isPlainObject(op.data)) {
        kept.push(op);
        continue;
      }
      const data: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(op.data)) {
        const keyPath = key.split('/').filter((s) => s.length > 0);
        if (isPrefix(rel, keyPath)) continue;
        data[key] = isPrefix(keyPath, rel) ? withoutChild(value, rel.slice(keyPath.length)) : value;
      }
      if (Object.keys(data).length > 0) kept.push({ ...op, data });
    }
    this.ops = kept;
  }

  /** Removes and returns every queued operation, in queueing order. */
  take(): QueuedWrite[] {
    return this.ops.splice(0);
  }
}
