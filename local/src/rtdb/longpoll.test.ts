import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { LongPollChannel, disconnectFrame } from './longpoll';
import type { Session } from './session';

class FakeResponse {
  body: string | null = null;
  writableEnded = false;
  private readonly closeHandlers: (() => void)[] = [];
  writeHead(): this {
    return this;
  }
  end(body: string): void {
    this.body = body;
    this.writableEnded = true;
  }
  on(_event: 'close', cb: () => void): this {
    this.closeHandlers.push(cb);
    return this;
  }
  abort(): void {
    for (const cb of this.closeHandlers) cb();
  }
}

function res(): FakeResponse {
  return new FakeResponse();
}
const asRes = (r: FakeResponse): ServerResponse => r as unknown as ServerResponse;

const b64 = (text: string): string => Buffer.from(text).toString('base64url');

describe('LongPollChannel', () => {
  it('starts with forwarders, id/password and the queued handshake as packet 0', () => {
    const channel = new LongPollChannel(
      () => 0,
      () => 1000,
    );
    channel.send('{"t":"c","d":{"t":"h"}}');
    const script = channel.startScript('7');
    expect(script).toContain('parent.window["pLPCommand7"]');
    expect(script).toContain('parent.window["pRTLPCB7"]');
    expect(script).toContain(`pLPCommand('start','${channel.id}','${channel.pw}');`);
    expect(script).toContain('pRTLPCB(0,[{"t":"c","d":{"t":"h"}}]);');
  });

  it('reassembles segmented client messages in order, across polls', () => {
    const channel = new LongPollChannel(
      () => 0,
      () => 1000,
    );
    const msg = b64('{"t":"d","d":{"r":1}}');
    const a = msg.slice(0, 5);
    const rest = msg.slice(5);
    const second = b64('{"x":2}');
    // Segments 1 and 2 arrive before segment 0.
    const first = channel.poll(
      new URLSearchParams({ seg0: '1', ts0: '2', d0: rest, seg1: '2', ts1: '1', d1: second + '.' }),
      asRes(res()),
    );
    expect(first).toEqual([]);
    const done = channel.poll(new URLSearchParams({ seg0: '0', ts0: '2', d0: a }), asRes(res()));
    expect(done).toEqual(['{"t":"d","d":{"r":1}}', '{"x":2}']);
  });

  it('holds a poll until data is sent, and a newer poll releases the held one', () => {
    const channel = new LongPollChannel(
      () => 0,
      () => 1000,
    );
    channel.startScript('1');
    const held = res();
    channel.poll(new URLSearchParams(), asRes(held));
    expect(held.body).toBeNull();
    expect(channel.isHolding).toBe(true);
    channel.send('{"a":1}');
    expect(held.body).toBe('pRTLPCB(0,[{"a":1}]);\n');
    const older = res();
    channel.poll(new URLSearchParams(), asRes(older));
    const newer = res();
    channel.poll(new URLSearchParams(), asRes(newer));
    expect(older.body).toBe('');
    expect(newer.body).toBeNull();
    newer.abort();
    expect(channel.isHolding).toBe(false);
  });

  it('escapes line separators and tells the client to close', () => {
    const channel = new LongPollChannel(
      () => 0,
      () => 1000,
    );
    channel.send('"\u2028"');
    channel.close();
    const r = res();
    channel.poll(new URLSearchParams(), asRes(r));
    expect(r.body).toBe(`pRTLPCB(0,["\\u2028"]);\npLPCommand('close',1);\n`);
  });

  it('refuses oversized pending data', () => {
    const channel = new LongPollChannel(
      () => 0,
      () => 10,
    );
    expect(
      channel.poll(new URLSearchParams({ seg0: '5', ts0: '9', d0: 'x'.repeat(30) }), asRes(res())),
    ).toBe('too_large');
  });

  it('upgrades: `n` over the long poll moves the session to the socket', () => {
    const channel = new LongPollChannel(
      () => 0,
      () => 1000,
    );
    const switched: unknown[] = [];
    channel.session = { switchTransport: (t: unknown) => switched.push(t) } as unknown as Session;
    expect(channel.isEndOfTransmission('{"t":"c","d":{"t":"n","d":{}}}')).toBe(false);
    const socket = { send: () => undefined, close: () => undefined };
    channel.beginUpgrade(socket);
    channel.bufferUpgradeFrame('{"t":"d"}');
    expect(channel.isEndOfTransmission('{"t":"c","d":{"t":"n","d":{}}}')).toBe(true);
    let upgraded = false;
    channel.onUpgraded = () => (upgraded = true);
    channel.completeUpgrade();
    expect(switched).toEqual([socket]);
    expect(upgraded).toBe(true);
    expect(channel.takeUpgradeFrames()).toEqual(['{"t":"d"}']);
    const r = res();
    channel.poll(new URLSearchParams(), asRes(r));
    expect(r.body).toContain('{"t":"c","d":{"t":"n","d":{}}}');
    expect(r.body).toContain("pLPCommand('close'");
  });

  it('stays on long polling when the upgrade socket goes away first', () => {
    const channel = new LongPollChannel(
      () => 0,
      () => 1000,
    );
    channel.session = { switchTransport: () => undefined } as unknown as Session;
    const socket = { send: () => undefined, close: () => undefined };
    channel.beginUpgrade(socket);
    channel.bufferUpgradeFrame('x');
    channel.abandonUpgrade(socket);
    expect(channel.isEndOfTransmission('{"t":"c","d":{"t":"n","d":{}}}')).toBe(false);
    expect(channel.takeUpgradeFrames()).toEqual([]);
  });

  it('serves a disconnect page that pings on unload', () => {
    expect(disconnectFrame('i', 'p', 'ns')).toContain('/.lp?disconn=t&id=i&pw=p&ns=ns');
  });
});
