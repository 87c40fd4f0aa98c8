// The web SDK in Chromium: WebSocket, long polling (forced, or after a failed
// WebSocket) and the long-poll → WebSocket upgrade.
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clients, freshNs, isExternal, startTestServer, waitFor, type TestServer } from './helpers';
import { adminClient, type SdkClient } from './sdk';

const CHROMIUM = '/usr/bin/chromium';
const ENTRY = fileURLToPath(new URL('./fixtures/browser-entry.ts', import.meta.url));

let server: TestServer;
let clients: Clients;
let pages: Server;
let pagesUrl = '';
/** The same page from another origin (another port): a web site the developer has open. */
let foreignPages: Server;
let foreignUrl = '';
let browser: Browser;
let observer: SdkClient;
const ns = freshNs('browser');

beforeAll(async () => {
  const bundle = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
  });
  const js = bundle.outputFiles[0]?.text ?? '';
  const servePages = async (): Promise<[Server, string]> => {
    const http = createServer((req, res) => {
      if (req.url === '/bundle.js') {
        res.writeHead(200, { 'content-type': 'application/javascript' });
        res.end(js);
      } else {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<!doctype html><html><body><script src="/bundle.js"></script></body></html>');
      }
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    return [http, `http://127.0.0.1:${(http.address() as AddressInfo).port}/`];
  };
  [pages, pagesUrl] = await servePages();
  [foreignPages, foreignUrl] = await servePages();
  // The pages' origin plays the local web app: its pages may present credentials.
  server = await startTestServer({
    longPollIdleCloseMs: 1500,
    allowedOrigins: [new URL(pagesUrl).origin],
  });
  clients = new Clients(server);
  observer = adminClient(clients.admin(ns));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => pages?.close(resolve));
  await new Promise((resolve) => foreignPages?.close(resolve));
  await clients.closeAll();
  await server.stop();
});

type Transport = 'longpoll' | 'websocket' | 'auto';

async function openPage(transport: Transport, previousWebSocketFailure = false): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(pagesUrl);
  await page.evaluate(
    ([url, t, failed]) => {
      const w = globalThis as unknown as {
        localStorage: { setItem(k: string, v: string): void; removeItem(k: string): void };
        rtdb: { init(u: string, t: string): void };
      };
      if (failed) w.localStorage.setItem('firebase:previous_websocket_failure', 'true');
      else w.localStorage.removeItem('firebase:previous_websocket_failure');
      w.rtdb.init(url, t);
    },
    [server.databaseUrl(ns), transport, previousWebSocketFailure] as const,
  );
  return page;
}

type Rtdb = {
  initSignedIn(port: number, ns: string, uid: string, transport: string): void;
  ownerOverRawSocket(port: number, ns: string): Promise<string>;
  set(p: string, v: unknown): Promise<void>;
  get(p: string): Promise<unknown>;
  listen(p: string): void;
  seen(p: string): unknown[];
  increment(p: string): Promise<boolean>;
  onDisconnectSet(p: string, v: unknown): Promise<void>;
};
function call<T>(
  page: Page,
  fn: (rtdb: Rtdb, arg: unknown) => T | Promise<T>,
  arg?: unknown,
): Promise<T> {
  return page.evaluate(
    ([source, a]) => {
      const f = new Function('rtdb', 'arg', `return (${source})(rtdb, arg);`);
      return f((globalThis as unknown as { rtdb: Rtdb }).rtdb, a);
    },
    [fn.toString(), arg] as const,
  ) as Promise<T>;
}

const cases: [string, Transport, boolean][] = [
  ['forceWebSockets', 'websocket', false],
  ['forceLongPolling', 'longpoll', false],
  ['long polling after a failed WebSocket, then upgrading', 'auto', true],
];

describe.skipIf(isExternal || !existsSync(CHROMIUM))('web SDK in Chromium', () => {
  it.each(cases)(
    '%s: writes, reads, listens, transacts and runs onDisconnect',
    async (_name, transport, failed) => {
      const page = await openPage(transport, failed);
      const base = `b/${transport}`;
      const longPolls = (): number => server.local?.longPollCount ?? 0;
      await call(page, (r, p) => r.listen(p as string), `${base}/live`);
      const seenCount = async (): Promise<number> =>
        (await call(page, (r, p) => r.seen(p as string), `${base}/live`)).length;
      await waitFor(async () => (await seenCount()) === 1, 10_000, 'first value event');
      await call(page, (r, p) => r.set(p as string, { hello: 'world' }), `${base}/live`);
      expect((await observer.get(`${base}/live`)).val).toEqual({ hello: 'world' });
      await observer.set(`${base}/live`, { from: 'admin', big: 'x'.repeat(40_000) });
      await waitFor(
        async () =>
          JSON.stringify(await call(page, (r, p) => r.seen(p as string), `${base}/live`)).includes(
            'admin',
          ),
        10_000,
        'push to the browser',
      );
      const seen = await call(page, (r, p) => r.seen(p as string), `${base}/live`);
      expect(seen[0]).toBeNull();
      expect(seen[1]).toEqual({ hello: 'world' });
      expect(await call(page, (r, p) => r.get(p as string), `${base}/live`)).toEqual({
        from: 'admin',
        big: 'x'.repeat(40_000),
      });
      await call(page, (r, p) => r.set(p as string, 'y'.repeat(20_000)), `${base}/upload`);
      expect((await observer.get(`${base}/upload`)).val).toBe('y'.repeat(20_000));
      for (let i = 0; i < 5; i++)
        expect(await call(page, (r, p) => r.increment(p as string), `${base}/n`)).toBe(true);
      expect((await observer.get(`${base}/n`)).val).toBe(5);
      if (transport === 'longpoll') expect(longPolls()).toBe(1);
      // A browser that fell back to long polling upgrades to a WebSocket once connected.
      if (transport === 'auto') await waitFor(() => longPolls() === 0, 10_000, 'upgrade');
      if (transport === 'websocket') expect(longPolls()).toBe(0);
      await call(page, (r, p) => r.onDisconnectSet(p as string, 'gone'), `${base}/presence`);
      await page.close();
      await waitFor(
        async () => (await observer.get(`${base}/presence`)).val === 'gone',
        10_000,
        'onDisconnect',
      );
    },
    40_000,
  );
});

describe.skipIf(isExternal || !existsSync(CHROMIUM))('credentials from web pages', () => {
  const authNs = freshNs('browserauth');
  beforeAll(async () => {
    const res = await fetch(
      `${server.databaseUrl(authNs).replace('?', '/.settings/rules.json?')}`,
      {
        method: 'PUT',
        headers: { Authorization: 'Bearer owner' },
        body: JSON.stringify({
          rules: {
            private: { $uid: { '.read': 'auth.uid === $uid', '.write': 'auth.uid === $uid' } },
          },
        }),
      },
    );
    expect(res.status).toBe(200);
  });

  it.each(['websocket', 'longpoll'] as const)(
    'the web app origin signs in over %s; a page of another origin cannot',
    async (transport) => {
      const app = await browser.newPage();
      await app.goto(pagesUrl);
      const foreign = await browser.newPage();
      await foreign.goto(foreignUrl);
      const owner = adminClient(clients.admin(authNs));
      for (const [page, uid] of [
        [app, `ok-${transport}`],
        [foreign, `evil-${transport}`],
      ] as const) {
        await call(
          page,
          (r, a) => {
            const [port, n, u, t] = a as [number, string, string, string];
            r.initSignedIn(port, n, u, t);
          },
          [server.port, authNs, uid, transport],
        );
        // Not awaited: a refused sign-in leaves the foreign page's write unanswered.
        void call(page, (r, p) => r.set(p as string, 'written'), `private/${uid}`).catch(
          () => undefined,
        );
      }
      await waitFor(
        async () => (await owner.get(`private/ok-${transport}`)).val === 'written',
        15_000,
        "the app page's signed-in write",
      );
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await owner.get(`private/evil-${transport}`)).exists).toBe(false);
      // A socket the page opens itself carries its Origin: the owner token is refused.
      const status = (page: Page): Promise<string> =>
        call(page, (r, a) => r.ownerOverRawSocket(...(a as [number, string])), [
          server.port,
          authNs,
        ]);
      expect(await status(app)).toBe('ok');
      expect(await status(foreign)).toBe('invalid_token');
      await app.close();
      await foreign.close();
    },
    40_000,
  );
});
