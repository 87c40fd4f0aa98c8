// Runs the admin commands queued for this VM: each one claimed once by a transaction (the
// at-most-once guarantee, across agent restarts too), validated against the catalogue, run
// step by step without a shell under its timeout, output streamed while it runs.
import {
  onChildAdded,
  ref,
  runTransaction,
  update,
  type Database,
  type DataSnapshot,
} from 'firebase/database';
import { isFinalCommandStatus } from '@vmpool/core';
import type { Clock, Logger } from '@vmpool/core/ports';
import { Throttle } from '../util/throttle';
import { commandPath, commandsPath } from '../report/paths';
import { OutputCapture } from './output-capture';
import type { CommandPlan, CommandPlanner, InAgentHandler } from './plan';
import { runArgv, type RunResult } from './process-runner';

export interface ExecutorOptions {
  /** Between SIGTERM and SIGKILL when a step overruns. */
  graceMs: number;
  /** Streamed output is written at most this often. */
  outputIntervalMs: number;
  env?: NodeJS.ProcessEnv;
  /** Handlers of the ops the agent carries out itself (`import_state`), by op. */
  inAgent?: Readonly<Record<string, InAgentHandler>>;
}

interface Claim {
  bootId: string;
  at: number;
}

function readClaim(value: unknown): Claim | null {
  if (typeof value !== 'object' || value === null) return null;
  const { bootId, at } = value as Record<string, unknown>;
  return typeof bootId === 'string' && typeof at === 'number' ? { bootId, at } : null;
}

export class CommandExecutor {
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private stopping = false;
  private abortCurrent: (() => void) | undefined;

  constructor(
    private readonly db: Database,
    private readonly vmId: string,
    private readonly bootId: string,
    private readonly planner: CommandPlanner,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly options: ExecutorOptions,
  ) {}

  start(): void {
    this.unsubscribe = onChildAdded(
      ref(this.db, commandsPath(this.vmId)),
      (snapshot) => this.enqueue(snapshot),
      (error) => this.log.error('cannot listen for commands', { error }),
    );
  }

  /** Stops listening, ends the running command (marked failed) and waits for the queue. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    this.abortCurrent?.();
    await this.queue;
  }

  private enqueue(snapshot: DataSnapshot): void {
    const commandId = snapshot.key;
    if (commandId === null) return;
    const value: unknown = snapshot.val();
    // One at a time: two restarts of the same service racing each other help nobody.
    this.queue = this.queue
      .then(() => (this.stopping ? undefined : this.consider(commandId, value)))
      .catch((error: unknown) => this.log.error('command handling failed', { commandId, error }));
  }

  private async consider(commandId: string, value: unknown): Promise<void> {
    const record = (typeof value === 'object' && value !== null ? value : {}) as Record<
      string,
      unknown
    >;
    const status = record.status;
    // A final status (core's list) is never touched again.
    if (isFinalCommandStatus(status)) return;
    const path = commandPath(this.vmId, commandId);
    const earlier = readClaim(record.claim);
    if (earlier) {
      if (earlier.bootId === this.bootId) return;
      // Claimed by an earlier boot of this agent that died before finishing: never run it
      // twice; say plainly what happened.
      this.log.warn(
        'command was claimed by an earlier agent boot and never finished; marking failed',
        { commandId, claimedBy: earlier.bootId },
      );
      await this.finish(path, {
        status: 'failed',
        reason: `claimed by agent boot ${earlier.bootId}, which stopped before finishing; not re-run (at-most-once)`,
      });
      return;
    }

    const claimed = await this.claim(path);
    if (!claimed) return;
    const outcome = this.planner(value, this.clock.now());
    if (outcome.kind !== 'run') {
      this.log.warn(`command ${outcome.kind}`, { commandId, reason: outcome.reason });
      await this.finish(path, { status: outcome.kind, reason: outcome.reason });
      return;
    }
    await this.run(commandId, path, outcome.plan);
  }

  private async claim(path: string): Promise<boolean> {
    const claim: Claim = { bootId: this.bootId, at: this.clock.now() };
    try {
      const result = await runTransaction(
        ref(this.db, `${path}/claim`),
        (current: unknown) => (current === null ? claim : undefined),
        { applyLocally: false },
      );
      return result.committed && readClaim(result.snapshot.val())?.bootId === this.bootId;
    } catch (error) {
      this.log.error('claim refused', { path, error });
      return false;
    }
  }

  private async run(commandId: string, path: string, plan: CommandPlan): Promise<void> {
    const startedAt = this.clock.now();
    const log = this.log.child({ commandId, op: plan.op });
    log.info('command running', { steps: plan.steps.length, timeoutMs: plan.timeoutMs });
    await update(ref(this.db, path), { status: 'running', startedAt });

    const capture = new OutputCapture();
    let writtenVersion = 0;
    const stream = new Throttle(this.options.outputIntervalMs, () => {
      if (capture.version === writtenVersion) return;
      writtenVersion = capture.version;
      update(ref(this.db, path), { output: capture.snapshot() }).catch((error: unknown) =>
        log.warn('output write refused', { error }),
      );
    });
    const append = (write: (chunk: string) => void) => (chunk: string) => {
      write(chunk);
      stream.request();
    };

    if (plan.inAgent !== undefined) {
      await this.runInAgent(path, plan, plan.inAgent.args, startedAt, capture, log);
      return;
    }
    const deadline = performance.now() + plan.timeoutMs;
    let last: RunResult | undefined;
    let aborted = false;
    for (const step of plan.steps) {
      const remaining = Math.max(1, Math.round(deadline - performance.now()));
      capture.appendStdout(`$ ${step.join(' ')}\n`);
      const abort = new AbortController();
      this.abortCurrent = () => {
        aborted = true;
        abort.abort();
      };
      last = await runArgv(step, {
        timeoutMs: this.stopping ? 1 : remaining,
        graceMs: this.options.graceMs,
        onStdout: append((chunk) => capture.appendStdout(chunk)),
        onStderr: append((chunk) => capture.appendStderr(chunk)),
        signal: abort.signal,
        ...(this.options.env ? { env: this.options.env } : {}),
      });
      this.abortCurrent = undefined;
      if (last.spawnError) capture.appendStderr(`${last.spawnError}\n`);
      if (aborted || last.timedOut || last.exitCode !== 0) break;
    }
    stream.cancel();

    const finishedAt = this.clock.now();
    const fields: Record<string, unknown> = {
      finishedAt,
      durationMs: Math.max(0, finishedAt - startedAt),
      output: capture.snapshot(),
    };
    if (last?.exitCode != null) fields.exitCode = last.exitCode;
    if (aborted) {
      fields.status = 'failed';
      fields.reason = 'the agent was shut down while the command ran; it was stopped';
    } else if (last?.timedOut) {
      fields.status = 'timed_out';
      fields.reason = `did not finish within ${Math.round(plan.timeoutMs / 1000)} s; stopped with SIGTERM then SIGKILL`;
    } else if (last?.spawnError) {
      fields.status = 'failed';
      fields.reason = `could not start: ${last.spawnError}`;
    } else if (last?.exitCode !== 0) {
      fields.status = 'failed';
      fields.reason = last?.signal
        ? `ended by ${last.signal}`
        : `exited with code ${String(last?.exitCode)}`;
    } else {
      fields.status = 'succeeded';
    }
    log.info(`command ${String(fields.status)}`, {
      durationMs: fields.durationMs,
      exitCode: fields.exitCode,
    });
    await update(ref(this.db, path), fields);
  }

  /** An in-agent op under the same timeout, abort and output rules as argv steps. */
  private async runInAgent(
    path: string,
    plan: CommandPlan,
    args: Record<string, unknown>,
    startedAt: number,
    capture: OutputCapture,
    log: ReturnType<Logger['child']>,
  ): Promise<void> {
    const handler = this.options.inAgent?.[plan.op];
    const abort = new AbortController();
    let aborted = false;
    this.abortCurrent = () => {
      aborted = true;
      abort.abort();
    };
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed_out'>((resolve) => {
      timer = setTimeout(() => {
        abort.abort();
        resolve('timed_out');
      }, plan.timeoutMs);
    });
    let status: string;
    let reason: string | undefined;
    try {
      if (handler === undefined) throw new Error(`this agent cannot run ${plan.op}`);
      const outcome = await Promise.race([handler(args, abort.signal), timedOut]);
      if (outcome === 'timed_out') {
        status = 'timed_out';
        reason = `did not finish within ${Math.round(plan.timeoutMs / 1000)} s`;
      } else {
        capture.appendStdout(`${outcome}\n`);
        status = 'succeeded';
      }
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      capture.appendStderr(`${message}\n`);
      status = 'failed';
      reason = aborted ? 'the agent was shut down while the command ran; it was stopped' : message;
    } finally {
      clearTimeout(timer);
      this.abortCurrent = undefined;
    }
    const finishedAt = this.clock.now();
    log.info(`command ${status}`, { durationMs: finishedAt - startedAt });
    await update(ref(this.db, path), {
      status,
      finishedAt,
      durationMs: Math.max(0, finishedAt - startedAt),
      output: capture.snapshot(),
      ...(reason === undefined ? {} : { reason: reason.slice(0, 1000) }),
    });
  }

  private async finish(path: string, fields: { status: string; reason: string }): Promise<void> {
    try {
      await update(ref(this.db, path), {
        ...fields,
        reason: fields.reason.slice(0, 1000),
        finishedAt: this.clock.now(),
      });
    } catch (error) {
      this.log.error('could not record the command outcome', { path, error });
    }
  }
}
