/**
 * Items (listens) filed by database path, so that a write finds the listens it touches (at,
 * above or below the paths it wrote) without looking at every listen of every connection.
 */
import type { Path } from './paths';

interface Slot<T> {
  readonly items: Set<T>;
  readonly children: Map<string, Slot<T>>;
}

function slot<T>(): Slot<T> {
  return { items: new Set(), children: new Map() };
}

export class PathIndex<T> {
  private readonly root: Slot<T> = slot();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(path: Path, item: T): void {
    let at = this.root;
    for (const key of path) {
      let next = at.children.get(key);
      if (next === undefined) {
        next = slot();
        at.children.set(key, next);
      }
      at = next;
    }
    if (!at.items.has(item)) {
      at.items.add(item);
      this.count += 1;
    }
  }

  /** Removes `item` filed at `path` (and the slots left empty). */
  delete(path: Path, item: T): void {
    const trail: Slot<T>[] = [this.root];
    let at = this.root;
    for (const key of path) {
      const next = at.children.get(key);
      if (next === undefined) return;
      trail.push(next);
      at = next;
    }
    if (!at.items.delete(item)) return;
    this.count -= 1;
    for (let i = path.length; i > 0; i -= 1) {
      const emptied = trail[i] as Slot<T>;
      if (emptied.items.size > 0 || emptied.children.size > 0) break;
      (trail[i - 1] as Slot<T>).children.delete(path[i - 1] as string);
    }
  }

  /** Adds to `into` every item filed at, above or below one of `paths`. */
  collectRelated(paths: readonly Path[], into: Set<T>): void {
    for (const path of paths) {
      let at: Slot<T> | undefined = this.root;
      for (const item of at.items) into.add(item);
      for (const key of path) {
        at = at.children.get(key);
        if (at === undefined) break;
        for (const item of at.items) into.add(item);
      }
      if (at !== undefined) {
        for (const child of at.children.values()) collectAll(child, into);
      }
    }
  }
}

function collectAll<T>(at: Slot<T>, into: Set<T>): void {
  for (const item of at.items) into.add(item);
  for (const child of at.children.values()) collectAll(child, into);
}
