import { describe, expect, it } from 'vitest';
import { ADMIN, ANONYMOUS } from './auth';
import { hashNode } from './hash';
import { Namespace, type Subscriber } from './namespace';
import { DEFAULT_QUERY, parseQuery } from './query';
import { RulesEngine } from './rules';
import { getNode, plainValue } from './tree';

class Recorder implements Subscriber {
  readonly messages: { a: string; b: { p: string; d: unknown; t?: number } }[] = [];
  sendData(message: string): void {
    this.messages.push(JSON.parse(message));
  }
  take(): Recorder['messages'] {
    return this.messages.splice(0);
  }
}

const NOW = 1_000;

describe('Namespace fan-out', () => {
  it('pushes the current value when a listen starts', () => {
    const ns = new Namespace('t', null);
    ns.set(ADMIN, ['a'], { b: 1 }, NOW);
    const sub = new Recorder();
    expect(ns.listen(sub, ADMIN, ['a'], DEFAULT_QUERY, null, NOW).status).toBe('ok');
    expect(sub.take()).toEqual([{ a: 'd', b: { p: 'a', d: { b: 1 } } }]);
  });

  it('forwards a write once per connection, however many listens cover it', () => {
    const ns = new Namespace('t', null);
    const sub = new Recorder();
    ns.listen(sub, ADMIN, [], DEFAULT_QUERY, null, NOW);
    ns.listen(sub, ADMIN, ['a'], DEFAULT_QUERY, null, NOW);
    ns.listen(sub, ADMIN, ['a', 'b', 'c'], DEFAULT_QUERY, null, NOW);
    sub.take();
    ns.set(ADMIN, ['a', 'b'], { c: 1 }, NOW);
    expect(sub.take()).toEqual([{ a: 'd', b: { p: 'a/b', d: { c: 1 } } }]);
    ns.update(ADMIN, ['a'], { 'b/c': 2, x: { '.sv': 'timestamp' } }, NOW);
    expect(sub.take()).toEqual([{ a: 'm', b: { p: 'a', d: { 'b/c': 2, x: NOW } } }]);
  });

  it('sends the value at a deeper listen when a write above touches it', () => {
    const ns = new Namespace('t', null);
    const deep = new Recorder();
    ns.listen(deep, ADMIN, ['a', 'b'], DEFAULT_QUERY, null, NOW);
    deep.take();
    ns.set(ADMIN, ['a'], { b: { c: 1 }, other: 2 }, NOW);
    expect(deep.take()).toEqual([{ a: 'd', b: { p: 'a/b', d: { c: 1 } } }]);
    ns.update(ADMIN, ['a'], { other: 3 }, NOW);
    expect(deep.take()).toEqual([]);
    ns.set(ADMIN, ['z'], 1, NOW);
    expect(deep.take()).toEqual([]);
  });

  it('sends a deeper listen only the children a multi-path update from above wrote (issue 17)', () => {
    const ns = new Namespace('t', null);
    ns.set(ADMIN, ['pool', 'index'], { 'vm-1': { s: 'a' }, 'vm-2': { s: 'a' } }, NOW);
    const index = new Recorder();
    ns.listen(index, ADMIN, ['pool', 'index'], DEFAULT_QUERY, null, NOW);
    index.take();
    ns.update(ADMIN, [], { 'pool/index/vm-2/s': 'b', 'pool/summary/n': 1 }, NOW);
    expect(index.take()).toEqual([{ a: 'm', b: { p: 'pool/index', d: { 'vm-2/s': 'b' } } }]);
    ns.update(ADMIN, [], { 'pool/index/vm-1': null }, NOW);
    expect(index.take()).toEqual([{ a: 'm', b: { p: 'pool/index', d: { 'vm-1': null } } }]);
    // A write replacing the listen's node itself (or above it) sends the whole value, as before.
    ns.update(ADMIN, [], { 'pool/index': { 'vm-3': { s: 'a' } }, 'pool/summary/n': 2 }, NOW);
    expect(index.take()).toEqual([{ a: 'd', b: { p: 'pool/index', d: { 'vm-3': { s: 'a' } } } }]);
  });

  it('pushes complete filtered values to tagged listens, only when they change', () => {
    const ns = new Namespace('t', null);
    ns.set(ADMIN, ['list'], { a: 1, b: 2, c: 3 }, NOW);
    const sub = new Recorder();
    ns.listen(sub, ADMIN, ['list'], parseQuery({ i: '.key', l: 2, vf: 'l' }), 4, NOW);
    expect(sub.take()).toEqual([{ a: 'd', b: { p: 'list', d: { a: 1, b: 2 }, t: 4 } }]);
    ns.set(ADMIN, ['list', 'c'], 30, NOW);
    expect(sub.take()).toEqual([]);
    ns.set(ADMIN, ['list', 'a'], null, NOW);
    expect(sub.take()).toEqual([{ a: 'd', b: { p: 'list', d: { b: 2, c: 30 }, t: 4 } }]);
    ns.unlisten(sub, ['list'], 4);
    ns.set(ADMIN, ['list', 'b'], null, NOW);
    expect(sub.take()).toEqual([]);
  });

  it('stops pushing to a dropped subscriber', () => {
    const ns = new Namespace('t', null);
    const sub = new Recorder();
    ns.listen(sub, ADMIN, [], DEFAULT_QUERY, null, NOW);
    ns.dropSubscriber(sub);
    sub.take();
    ns.set(ADMIN, ['a'], 1, NOW);
    expect(sub.take()).toEqual([]);
    expect(ns.listenerCount()).toBe(0);
  });
});

describe('Namespace writes', () => {
  it('checks transaction hashes', () => {
    const ns = new Namespace('t', null);
    ns.set(ADMIN, ['c'], 10, NOW);
    expect(ns.set(ADMIN, ['c'], 11, NOW, { hash: 'nope' }).status).toBe('datastale');
    const h = hashNode(getNode(ns.root, ['c']));
    expect(ns.set(ADMIN, ['c'], 11, NOW, { hash: h }).status).toBe('ok');
    expect(plainValue(ns.root)).toEqual({ c: 11 });
    expect(ns.set(ADMIN, ['fresh'], 1, NOW, { hash: '' }).status).toBe('ok');
  });

  it('applies rules with a mirror that follows every write', () => {
    const rules = RulesEngine.create({
      rules: { once: { $k: { '.write': '!data.exists()', '.read': true } } },
    });
    const ns = new Namespace('t', rules);
    expect(ns.set(ANONYMOUS, ['once', 'a'], 1, NOW).status).toBe('ok');
    expect(ns.set(ANONYMOUS, ['once', 'a'], 2, NOW).status).toBe('permission_denied');
    expect(ns.set(ADMIN, ['once', 'b'], 1, NOW).status).toBe('ok');
    expect(ns.set(ANONYMOUS, ['once', 'b'], 2, NOW).status).toBe('permission_denied');
    expect(ns.update(ANONYMOUS, ['once'], { c: 1, a: 5 }, NOW).status).toBe('permission_denied');
    expect(plainValue(ns.root)).toEqual({ once: { a: 1, b: 1 } });
    expect(ns.set(ANONYMOUS, ['once', 'd'], 1, NOW, { dryRun: true }).status).toBe('ok');
    expect(getNode(ns.root, ['once', 'd'])).toBeNull();
    expect(ns.get(ANONYMOUS, ['once', 'a'], DEFAULT_QUERY, NOW).status).toBe('ok');
    expect(ns.get(ANONYMOUS, ['once'], DEFAULT_QUERY, NOW).status).toBe('permission_denied');
    expect(ns.get(ANONYMOUS, [], DEFAULT_QUERY, NOW).status).toBe('permission_denied');
    ns.setRules(null);
    expect(ns.set(ANONYMOUS, ['once', 'a'], 9, NOW).status).toBe('ok');
  });

  it('checks .priority writes against rules as a write of the node', () => {
    const rules = RulesEngine.create({
      rules: { p: { '.write': true, '.validate': 'newData.getPriority() !== 13' } },
    });
    const ns = new Namespace('t', rules);
    ns.set(ANONYMOUS, ['p'], 'v', NOW);
    expect(ns.set(ANONYMOUS, ['p', '.priority'], 1, NOW).status).toBe('ok');
    expect(ns.set(ANONYMOUS, ['p', '.priority'], 13, NOW).status).toBe('permission_denied');
  });

  it('revokes a listen whose data-dependent read rule now denies, before pushing the write', () => {
    const rules = RulesEngine.create({
      rules: {
        members: { '.write': true },
        room: { '.read': "root.child('members/' + auth.uid).val() === true", '.write': true },
      },
    });
    const ns = new Namespace('t', rules);
    const user = { kind: 'user' as const, auth: { uid: 'u1' } };
    ns.set(ADMIN, ['members', 'u1'], true, NOW);
    const sub = new Recorder();
    expect(ns.listen(sub, user, ['room'], DEFAULT_QUERY, null, NOW).status).toBe('ok');
    sub.take();
    ns.update(ADMIN, [], { 'members/u1': null, 'room/secret': 's' }, NOW);
    expect(sub.take()).toEqual([{ a: 'c', b: { p: '/room' } }]);
    ns.set(ADMIN, ['room', 'later'], 1, NOW);
    expect(sub.take()).toEqual([]);
    expect(ns.listenerCount()).toBe(0);
  });

  it('refuses early, and caps paths and values for rules-checked writes only', () => {
    const rules = RulesEngine.create({ rules: { open: { '.write': true } } });
    const limits = { maxUserMessageBytes: 1000, maxUpdatePaths: 2, maxUserWriteNodes: 3 };
    const ns = new Namespace('t', rules, () => undefined, limits);
    expect(ns.set(ANONYMOUS, ['closed'], { a: 1 }, NOW).status).toBe('permission_denied');
    expect(ns.update(ANONYMOUS, ['open'], { a: 1, b: 2, c: 3 }, NOW).status).toBe('too_big');
    expect(ns.update(ANONYMOUS, ['open'], { a: 1, b: 2 }, NOW).status).toBe('ok');
    expect(ns.set(ANONYMOUS, ['open', 'x'], { a: 1, b: 2, c: 3 }, NOW).status).toBe('too_big');
    expect(ns.set(ANONYMOUS, ['open', 'x'], { a: 1, b: 2 }, NOW).status).toBe('ok');
    expect(ns.update(ADMIN, ['open'], { a: 1, b: 2, c: { d: 1, e: 2, f: 3 } }, NOW).status).toBe(
      'ok',
    );
  });
});
