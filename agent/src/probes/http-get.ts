// A small GET through node:http(s). The probes use it instead of fetch: fetch loads undici and
// compiles its WebAssembly HTTP parser, about 16 MB of RSS in a process whose aim is 60 MB,
// for one request every 10 s that node's built-in parser answers just as well.

export type HttpGetResult =
  { ok: true; status: number; text: string } | { ok: false; error: string };

/** More than any status document; a bigger answer is refused rather than buffered. */
const MAX_BODY_BYTES = 256 * 1024;

export async function httpGet(url: string, timeoutMs: number): Promise<HttpGetResult> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, error: `not a URL: ${url}` };
  }
  // https (and its TLS code) is loaded only when a URL needs it.
  const { get } =
    target.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve) => {
    const request = get(target, { headers: { accept: 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          request.destroy(new Error(`answer larger than ${MAX_BODY_BYTES} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('end', () => {
        clearTimeout(timer);
        resolve({
          ok: true,
          status: response.statusCode ?? 0,
          text: Buffer.concat(chunks).toString('utf8'),
        });
      });
      response.on('error', (error) => fail(error));
    });
    const fail = (error: NodeJS.ErrnoException): void => {
      clearTimeout(timer);
      resolve({ ok: false, error: error.code ?? error.message });
    };
    const timer = setTimeout(
      () => request.destroy(Object.assign(new Error('timed out'), { code: 'timed out' })),
      timeoutMs,
    );
    request.on('error', fail);
  });
}
