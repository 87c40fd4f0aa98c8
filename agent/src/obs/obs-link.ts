// Keeps one identified obs-websocket connection to the VM's OBS: connects, reconnects with
// backoff when OBS goes away (a down OBS is a finding, never a crash), learns OBS's version,
// and passes OBS's events on. Only state changes are logged, not every failed attempt.
import type { Logger } from '@vmpool/core/ports';
import { backoffDelay, type BackoffPolicy } from '../util/backoff';
import { ObsClient, ObsConnectionError } from './client';
import { CloseCode, EventSubscription, type GetVersionResponse } from './protocol';

export interface ObsLinkOptions {
  url: string;
  password: string | undefined;
  /** Handshake and request limit. */
  timeoutMs: number;
  backoff: BackoffPolicy;
  random: () => number;
}

export interface ObsLinkState {
  connected: boolean;
  /** OBS's version, from the last connection that told it. */
  version: string | null;
  /** Why it is not connected. */
  detail: string;
}

/**
 * Stream, record and scene events are what the agent reacts to; config (scene collection and
 * profile), input and scene item events make it export the show state (issue 12).
 */
export const AGENT_EVENT_SUBSCRIPTIONS =
  EventSubscription.General |
  EventSubscription.Config |
  EventSubscription.Scenes |
  EventSubscription.Inputs |
  EventSubscription.Outputs |
  EventSubscription.SceneItems;

/** A wrong password does not fix itself: retry slowly. */
const AUTH_RETRY_MIN_MS = 30_000;

export class ObsLink {
  private current: ObsClient | null = null;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private version: string | null = null;
  private detail = 'not connected yet';
  private loggedFailure: string | null = null;
  private readonly eventListeners = new Set<(type: string, data: unknown) => void>();
  private readonly changeListeners = new Set<(state: ObsLinkState) => void>();

  constructor(
    private readonly options: ObsLinkOptions,
    private readonly log: Logger,
  ) {}

  get client(): ObsClient | null {
    return this.current?.isOpen ? this.current : null;
  }

  get state(): ObsLinkState {
    return { connected: this.client !== null, version: this.version, detail: this.detail };
  }

  onEvent(listener: (type: string, data: unknown) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onChange(listener: (state: ObsLinkState) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.current?.close();
    this.current = null;
  }

  /** Drops a connection that stopped answering; the link reconnects. */
  reset(why: string): void {
    const client = this.current;
    if (!client?.isOpen) return;
    this.log.warn(`OBS stopped answering (${why}); reconnecting`);
    this.detail = why;
    client.close(true);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    let client: ObsClient;
    // Only the established connection's close matters; a late close of an older one must not.
    const self: { client?: ObsClient } = {};
    try {
      client = await ObsClient.connect({
        url: this.options.url,
        password: this.options.password,
        eventSubscriptions: AGENT_EVENT_SUBSCRIPTIONS,
        timeoutMs: this.options.timeoutMs,
        onEvent: (type, data) => {
          for (const listener of this.eventListeners) listener(type, data);
        },
        onClose: (error) => {
          if (self.client !== undefined && self.client === this.current) this.closed(error);
        },
      });
      self.client = client;
    } catch (error) {
      this.failed(error);
      return;
    }
    if (this.stopped) {
      client.close();
      return;
    }
    // The connection counts once OBS has told its version, so no report goes out without it.
    try {
      const version = await client.call<GetVersionResponse>('GetVersion');
      this.version = version.obsVersion;
    } catch (error) {
      client.close(true);
      this.failed(error);
      return;
    }
    if (this.stopped || !client.isOpen) {
      client.close();
      if (!this.stopped) this.failed(new ObsConnectionError('connection lost'));
      return;
    }
    this.current = client;
    this.attempt = 0;
    this.loggedFailure = null;
    this.detail = '';
    this.log.info('connected to OBS', {
      url: this.options.url,
      obsVersion: this.version,
      obsWebSocketVersion: client.hello.obsWebSocketVersion,
    });
    this.emitChange();
  }

  /** An established connection ended (one still identifying is handled by connect()). */
  private closed(error: ObsConnectionError): void {
    if (this.stopped || this.current === null) return;
    this.current = null;
    if (error.closeCode !== 1000) {
      this.detail = error.message;
      this.log.warn(`OBS connection lost: ${error.message}; reconnecting`);
    } else {
      this.detail = this.detail || error.message;
    }
    this.emitChange();
    this.schedule(error.closeCode === CloseCode.AuthenticationFailed);
  }

  private failed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    this.detail = message;
    if (this.loggedFailure !== message) {
      this.log.warn(`OBS unreachable at ${this.options.url}: ${message}; retrying with backoff`);
      this.loggedFailure = message;
    }
    this.emitChange();
    this.schedule(
      error instanceof ObsConnectionError && error.closeCode === CloseCode.AuthenticationFailed,
    );
  }

  private schedule(slow: boolean): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const delay = backoffDelay(this.attempt, this.options.backoff, this.options.random);
    this.attempt += 1;
    this.timer = setTimeout(
      () => void this.connect(),
      slow ? Math.max(delay, AUTH_RETRY_MIN_MS) : delay,
    );
  }

  private emitChange(): void {
    const state = this.state;
    for (const listener of this.changeListeners) listener(state);
  }
}
