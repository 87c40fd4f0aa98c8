import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deleteApp, initializeApp, type App } from 'firebase-admin/app';
import { FAILOVER_RECHECK_FUNCTION, type FailoverRecheckTask } from '@vmpool/core';
import {
  createCloudTasksRecheck,
  failoverRecheckTaskId,
} from '../src/adapters/tasks/cloud-tasks-recheck';
import { parseControlPlaneConfig } from '../src/config/control-plane-config';
import type { FailoverRecheckScheduler } from '../src/usecases/deps';

/**
 * The real adapter and the real firebase-admin against a Cloud Tasks v2 `tasks.create`
 * stand-in on 127.0.0.1. firebase-admin sends there (no Google credentials) when
 * CLOUD_TASKS_EMULATOR_HOST is set: only this test process sets it.
 *
 * The stand-in answers as Cloud Tasks does: POST .../queues/{queue}/tasks with `{ task }`
 * returns the created Task resource (name, scheduleTime, createTime, httpRequest); a task whose
 * name was already used answers 409 with a google.rpc error of status ALREADY_EXISTS.
 */

const PROJECT = 'vmpool-tasks-test';
const SERVICE_ACCOUNT = 'functions@vmpool-tasks-test.iam.gserviceaccount.com';

interface Received {
  method: string;
  path: string;
  authorization: string | undefined;
  body: {
    task: {
      name?: string;
      scheduleTime?: string;
      httpRequest: {
        url: string;
        body: string;
        headers: Record<string, string>;
        oidcToken?: { serviceAccountEmail: string };
      };
    };
  };
}

/** What the stand-in answers next: the Cloud Tasks behaviour, or a forced error. */
type Next =
  { kind: 'cloud-tasks' } | { kind: 'status'; status: number; json?: unknown; text?: string };

let server: Server;
let received: Received[] = [];
let createdNames = new Set<string>();
let answers: Next[] = [];
let app: App;
let savedEmulatorHost: string | undefined;

function answer(req: IncomingMessage, res: ServerResponse, raw: string): void {
  const body = JSON.parse(raw) as Received['body'];
  received.push({
    method: req.method ?? '',
    path: req.url ?? '',
    authorization: req.headers.authorization,
    body,
  });
  const next = answers.shift() ?? { kind: 'cloud-tasks' };
  if (next.kind === 'status') {
    if (next.json !== undefined) {
      res.writeHead(next.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(next.json));
    } else {
      res.writeHead(next.status, { 'content-type': 'text/plain' });
      res.end(next.text ?? '');
    }
    return;
  }
  const match = /^\/projects\/([^/]+)\/locations\/([^/]+)\/queues\/([^/]+)\/tasks$/.exec(
    req.url ?? '',
  );
  if (req.method !== 'POST' || match === null) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { code: 404, message: 'Not found', status: 'NOT_FOUND' } }));
    return;
  }
  const name = body.task.name ?? `${req.url}/${createdNames.size + 1}`;
  if (createdNames.has(name)) {
    res.writeHead(409, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: { code: 409, message: 'Requested entity already exists', status: 'ALREADY_EXISTS' },
      }),
    );
    return;
  }
  createdNames.add(name);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(
    JSON.stringify({
      name,
      scheduleTime: body.task.scheduleTime ?? new Date().toISOString(),
      createTime: new Date().toISOString(),
      dispatchCount: 0,
      responseCount: 0,
      view: 'BASIC',
      httpRequest: { url: body.task.httpRequest.url, httpMethod: 'POST' },
    }),
  );
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (raw += chunk));
    req.on('end', () => answer(req, res, raw));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  savedEmulatorHost = process.env.CLOUD_TASKS_EMULATOR_HOST;
  process.env.CLOUD_TASKS_EMULATOR_HOST = `127.0.0.1:${port}`;
  app = initializeApp(
    { projectId: PROJECT, serviceAccountId: SERVICE_ACCOUNT },
    `cloud-tasks-recheck-${port}`,
  );
});

afterAll(async () => {
  if (savedEmulatorHost === undefined) delete process.env.CLOUD_TASKS_EMULATOR_HOST;
  else process.env.CLOUD_TASKS_EMULATOR_HOST = savedEmulatorHost;
  await deleteApp(app);
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
  createdNames = new Set();
  answers = [];
});

const task: FailoverRecheckTask = {
  competitionId: 'comp-1',
  vmId: 'vm-001',
  since: 1_765_000_000_000,
  round: 0,
};

function productionScheduler(env: Record<string, string | undefined> = {}) {
  const config = parseControlPlaneConfig(env);
  if (!config.ok) throw new Error(config.errors.join('; '));
  return createCloudTasksRecheck(app, { region: config.value.functionsRegion });
}

function decodeData(entry: Received): unknown {
  return JSON.parse(Buffer.from(entry.body.task.httpRequest.body, 'base64').toString('utf8'));
}

describe('failover re-check through Cloud Tasks (firebase-admin against a tasks.create stand-in)', () => {
  it('creates the task on the failoverRecheck queue of the configured region, due in delaySeconds, carrying the task', async () => {
    const scheduler: FailoverRecheckScheduler = productionScheduler();
    const before = Date.now();
    await scheduler.schedule(task, 31);
    const after = Date.now();

    expect(received).toHaveLength(1);
    const [entry] = received as [Received];
    expect(entry.method).toBe('POST');
    const queuePath = `/projects/${PROJECT}/locations/us-central1/queues/${FAILOVER_RECHECK_FUNCTION}`;
    expect(entry.path).toBe(`${queuePath}/tasks`);
    expect(FAILOVER_RECHECK_FUNCTION).toBe('failoverRecheck');
    // The task's name carries the de-duplication id, under the same queue.
    expect(entry.body.task.name).toBe(`${queuePath.slice(1)}/tasks/${failoverRecheckTaskId(task)}`);
    // Due delaySeconds after the enqueue (firebase-admin adds them to its clock, in ms).
    const due = Date.parse(entry.body.task.scheduleTime ?? '');
    expect(due).toBeGreaterThanOrEqual(before + 31_000);
    expect(due).toBeLessThanOrEqual(after + 31_000);
    // The function receives `{ data: task }` as JSON (the callable/task protocol), signed for
    // the functions' service account.
    expect(decodeData(entry)).toEqual({ data: task });
    expect(entry.body.task.httpRequest.headers['Content-Type']).toBe('application/json');
    expect(entry.body.task.httpRequest.oidcToken).toEqual({ serviceAccountEmail: SERVICE_ACCOUNT });
    // The emulator path sends firebase-admin's fixed emulator token, never a Google credential.
    expect(entry.authorization).toBe('Bearer owner');
  });

  it('uses the region of VMPOOL_FUNCTIONS_REGION for the queue', async () => {
    await productionScheduler({ VMPOOL_FUNCTIONS_REGION: 'europe-west4' }).schedule(task, 5);
    expect(received.map((entry) => entry.path)).toEqual([
      `/projects/${PROJECT}/locations/europe-west4/queues/failoverRecheck/tasks`,
    ]);
    expect(received[0]?.body.task.name).toBe(
      `projects/${PROJECT}/locations/europe-west4/queues/failoverRecheck/tasks/${failoverRecheckTaskId(task)}`,
    );
  });

  it('rounds a fractional delay up, so the re-check never comes early', async () => {
    const before = Date.now();
    await productionScheduler().schedule(task, 9.2);
    const after = Date.now();
    const due = Date.parse(received[0]?.body.task.scheduleTime ?? '');
    // 10 s, not 9 s (firebase-admin's Date.setSeconds would drop the fraction).
    expect(due).toBeGreaterThanOrEqual(before + 10_000);
    expect(due).toBeLessThanOrEqual(after + 10_000);
  });

  it('refuses a negative or non-finite delay before sending anything', async () => {
    const scheduler = productionScheduler();
    await expect(scheduler.schedule(task, -1)).rejects.toThrow(/delaySeconds must be/);
    await expect(scheduler.schedule(task, Number.NaN)).rejects.toThrow(/delaySeconds must be/);
    expect(received).toHaveLength(0);
  });

  it('gives the same task the same id and another task (failure or round) another id', () => {
    const id = failoverRecheckTaskId(task);
    expect(failoverRecheckTaskId({ ...task })).toBe(id);
    const others = [
      { ...task, round: 1 },
      { ...task, since: task.since + 1 },
      { ...task, vmId: 'vm-002' },
      { ...task, competitionId: 'comp-2' },
    ].map(failoverRecheckTaskId);
    expect(new Set([id, ...others]).size).toBe(5);
    // Cloud Tasks' task id alphabet: letters, digits, hyphens, underscores; at most 500.
    for (const value of [id, ...others]) expect(value).toMatch(/^[A-Za-z0-9_-]{1,500}$/);
  });

  it('treats a duplicate enqueue (409 ALREADY_EXISTS) as success and sends the same task name', async () => {
    const scheduler = productionScheduler();
    await scheduler.schedule(task, 30);
    await expect(scheduler.schedule({ ...task }, 30)).resolves.toBeUndefined();
    expect(received).toHaveLength(2);
    expect(received[1]?.body.task.name).toBe(received[0]?.body.task.name);
    expect(createdNames.size).toBe(1);
    // The next round is another task: created, not refused.
    await scheduler.schedule({ ...task, round: 1 }, 5);
    expect(createdNames.size).toBe(2);
    expect(received[2]?.body.task.name).not.toBe(received[0]?.body.task.name);
  });

  it('is retried by firebase-admin after a 503 UNAVAILABLE, and created once', async () => {
    answers.push({
      kind: 'status',
      status: 503,
      json: { error: { code: 503, message: 'The service is unavailable.', status: 'UNAVAILABLE' } },
    });
    await productionScheduler().schedule(task, 30);
    expect(received).toHaveLength(2);
    expect(received[1]?.body.task.name).toBe(received[0]?.body.task.name);
    expect([...createdNames]).toEqual([received[0]?.body.task.name]);
  });

  it("surfaces another refusal with the queue, the task and firebase-admin's code", async () => {
    answers.push({
      kind: 'status',
      status: 403,
      json: {
        error: {
          code: 403,
          message: 'Permission denied on resource queue',
          status: 'PERMISSION_DENIED',
        },
      },
    });
    const failure = await productionScheduler()
      .schedule(task, 30)
      .then(
        () => null,
        (error: unknown) => error as Error,
      );
    expect(failure).toBeInstanceOf(Error);
    expect(failure?.message).toContain('functions/permission-denied');
    expect(failure?.message).toContain('Permission denied on resource queue');
    expect(failure?.message).toContain('locations/us-central1/functions/failoverRecheck');
    expect(failure?.message).toContain(failoverRecheckTaskId(task));
    expect((failure?.cause as { code?: string } | undefined)?.code).toBe(
      'functions/permission-denied',
    );
  });

  it('surfaces a queue that does not exist (404 NOT_FOUND) and a non-JSON error', async () => {
    answers.push({
      kind: 'status',
      status: 404,
      json: { error: { code: 404, message: 'Queue does not exist.', status: 'NOT_FOUND' } },
    });
    await expect(productionScheduler().schedule(task, 30)).rejects.toThrow(
      /functions\/not-found: Queue does not exist\./,
    );
    answers.push({ kind: 'status', status: 400, text: 'bad gateway page' });
    await expect(productionScheduler().schedule(task, 30)).rejects.toThrow(
      /functions\/unknown-error: Unexpected response with status: 400 and body: bad gateway page/,
    );
  });
});
