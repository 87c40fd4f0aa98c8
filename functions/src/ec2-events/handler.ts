import { createHash, timingSafeEqual } from 'node:crypto';
import { EC2_EVENTS_KEY_HEADER } from '@vmpool/core';
import type { Logger } from '@vmpool/core/ports';
import {
  readJsonBody,
  sendError,
  sendJson,
  type HttpRequest,
  type HttpResponse,
} from '../http/json-io';
import type { Ec2StateChangeOutcome } from '../usecases/events/ec2-state-change';
import type { EventsKeySource } from './events-key';
import { parseEc2StateChange, type Ec2StateChange } from './state-change-event';

export interface Ec2EventsHandlerDeps {
  key: EventsKeySource;
  apply: (change: Ec2StateChange) => Promise<Ec2StateChangeOutcome>;
  logger: Logger;
}

/** Compares two secrets in constant time (whatever their lengths). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * The HTTPS endpoint EventBridge's API destination posts EC2 state changes to. Answers:
 * 200 applied or ignored (not a pool VM); 400 not a state-change event; 401 wrong key;
 * 405 not a POST; 503 the key or the pool could not be read (EventBridge retries 5xx).
 */
export function createEc2EventsHandler(deps: Ec2EventsHandlerDeps) {
  return async (req: HttpRequest, res: HttpResponse): Promise<void> => {
    if (req.method !== 'POST') {
      sendError(res, 405, 'METHOD_NOT_ALLOWED', 'Post EventBridge events here', {
        headers: { allow: 'POST' },
      });
      return;
    }
    let expected: string;
    try {
      expected = await deps.key();
    } catch (error) {
      deps.logger.error('EC2 events key unavailable', { error: String(error) });
      sendError(res, 503, 'KEY_UNAVAILABLE', 'The events key could not be read; retry later');
      return;
    }
    const given = req.headers[EC2_EVENTS_KEY_HEADER];
    if (typeof given !== 'string' || !sameSecret(given, expected)) {
      deps.logger.warn('EC2 event refused: wrong or missing key');
      sendError(res, 401, 'UNAUTHENTICATED', `Missing or wrong ${EC2_EVENTS_KEY_HEADER} header`);
      return;
    }
    const body = await readJsonBody(req);
    if (!body.ok) {
      sendError(res, body.status, body.code, body.message);
      return;
    }
    const change = parseEc2StateChange(body.value);
    if (!change.ok) {
      sendError(res, 400, 'INVALID_EVENT', 'Not an EC2 instance state-change event', {
        details: change.errors,
      });
      return;
    }
    try {
      sendJson(res, 200, await deps.apply(change.value));
    } catch (error) {
      deps.logger.error('EC2 state change not applied', {
        instanceId: change.value.instanceId,
        error: String(error),
      });
      sendError(res, 503, 'NOT_APPLIED', `The state change was not applied: ${String(error)}`);
    }
  };
}
