import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from './limits';
import { MAX_FRAME_CHARS } from './framing';
import { RulesEngine } from './rules';
import { Namespace } from './namespace';
import { NON_BROWSER, Session, WebSocketTransport, type FrameSink } from './session';
import { plainValue } from './tree';

class FakeTransport implements FrameSink {
  readonly frames: string[] = [];
  closedWith: number | null = null;
  send(frame: string): void {
    this.frames.push(frame);
  }
  close(code: number): void {
    this.closedWith = code;
  }
  messages(): { t: string; d: Record<string, unknown> }[] {
    return this.frames.filter((f) => f.startsWith('{')).map((f) => JSON.parse(f));
  }
}

function setup(now = 5, rules: RulesEngine | null = null, maxUserMessageBytes = 1000) {
  const limits = { ...DEFAULT_LIMITS, maxUserMessageBytes };
  const ns = new Namespace('t', rules, () => undefined, limits);
  const transport = new FakeTransport();
  const session = new Session(new WebSocketTransport(transport), {
    namespace: ns,
    clock: () => now,
    maxMessageBytes: 1_000_000,
    limits,
    client: NON_BROWSER,
    host: 'h:1',
    sessionId: 's1',
    log: () => undefined,
  });
  session.start();
  const send = (r: number, a: string, b: unknown): void =>
    session.receiveFrame(JSON.stringify({ t: 'd', d: { r, a, b } }));
  return { ns, transport, session, send };
}

describe('Session', () => {
  it('starts with the handshake', () => {
    const { transport } = setup(42);
    expect(transport.messages()[0]).toEqual({
      t: 'c',
      d: { t: 'h', d: { ts: 42, v: '5', h: 'h:1', s: 's1' } },
    });
  });

  it('runs queued onDisconnect operations on close, minus cancelled ones', () => {
    const { ns, session, send } = setup();
    send(1, 'o', { p: '/a/x', d: 'x' });
    send(2, 'om', { p: '/b', d: { y: { '.sv': 'timestamp' } } });
    send(3, 'o', { p: '/c/z', d: 'z' });
    send(4, 'oc', { p: '/c', d: null });
    expect(ns.root).toBeNull();
    session.closed();
    session.closed();
    expect(plainValue(ns.root)).toEqual({ a: { x: 'x' }, b: { y: 5 } });
  });

  it('replies in request order and survives bad requests', () => {
    const { transport, send, session } = setup();
    send(1, 'p', { p: '/a', d: 1 });
    send(2, 'nope', {});
    send(3, 'p', { p: '/a.b', d: 1 });
    session.receiveFrame('{"t":"d","d":{"a":"p"}}');
    send(4, 'g', { p: '/a', q: {} });
    const replies = transport
      .messages()
      .filter((m) => m.t === 'd' && typeof m.d.r === 'number')
      .map((m) => [m.d.r, (m.d.b as { s: string }).s]);
    expect(replies).toEqual([
      [1, 'ok'],
      [2, 'invalid_request'],
      [3, 'invalid_request'],
      [4, 'ok'],
    ]);
    expect(transport.closedWith).toBeNull();
  });

  it('closes on malformed JSON', () => {
    const { transport, session } = setup();
    session.receiveFrame('{oops');
    expect(transport.closedWith).toBe(1007);
    expect(session.isClosed).toBe(true);
  });

  it('answers a long write no rule could allow from its first fragment and skips the rest', () => {
    const rules = RulesEngine.create({ rules: { open: { '.read': true, '.write': true } } });
    const { transport, session, send } = setup(5, rules, 100_000);
    const text = JSON.stringify({
      t: 'd',
      d: { r: 7, a: 'p', b: { p: '/closed', d: 'x'.repeat(MAX_FRAME_CHARS * 2) } },
    });
    const frames = [
      text.slice(0, MAX_FRAME_CHARS),
      text.slice(MAX_FRAME_CHARS, MAX_FRAME_CHARS * 2),
      text.slice(MAX_FRAME_CHARS * 2),
    ];
    session.receiveFrame('3');
    session.receiveFrame(frames[0] as string);
    const replies = (): unknown[] =>
      transport
        .messages()
        .filter((m) => m.t === 'd' && typeof m.d.r === 'number')
        .map((m) => [m.d.r, (m.d.b as { s: string }).s]);
    expect(replies()).toEqual([[7, 'permission_denied']]);
    expect(session.fragmentsPendingSince).toBe(5);
    session.receiveFrame(frames[1] as string);
    session.receiveFrame(frames[2] as string);
    expect(session.fragmentsPendingSince).toBeNull();
    send(8, 'p', { p: '/open/a', d: 1 });
    expect(replies()).toEqual([
      [7, 'permission_denied'],
      [8, 'ok'],
    ]);
    expect(transport.closedWith).toBeNull();
  });

  it('answers a whole message over the limit with too_big and stays open', () => {
    const rules = RulesEngine.create({ rules: { open: { '.read': true, '.write': true } } });
    const { transport, send } = setup(5, rules);
    send(1, 'p', { p: '/open/big', d: 'x'.repeat(2000) });
    send(2, 'p', { p: '/open/small', d: 'x' });
    const replies = transport
      .messages()
      .filter((m) => m.t === 'd' && typeof m.d.r === 'number')
      .map((m) => [m.d.r, (m.d.b as { s: string }).s]);
    expect(replies).toEqual([
      [1, 'too_big'],
      [2, 'ok'],
    ]);
    expect(transport.closedWith).toBeNull();
  });

  it('closes a connection whose fragments stop arriving', () => {
    const { transport, session } = setup(5);
    session.receiveFrame('2');
    session.receiveFrame('{"t":"d","d":{"r":1,');
    session.expireFragments(5 + 1000, 1000);
    expect(transport.closedWith).toBeNull();
    session.expireFragments(5 + 1001, 1000);
    expect(transport.closedWith).toBe(1008);
  });
});
