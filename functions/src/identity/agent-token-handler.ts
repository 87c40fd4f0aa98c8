import { createHash, type X509Certificate } from 'node:crypto';
import {
  agentAuthUid,
  identityChallengedAlert,
  isValidVmId,
  type AlertDraft,
  type IdentityAttackCode,
} from '@vmpool/core';
import { isComputeError, type Clock, type ComputePort, type Logger } from '@vmpool/core/ports';
import {
  readJsonBody,
  sendError,
  sendJson,
  type HttpRequest,
  type HttpResponse,
} from '../http/json-io';
import { decideBinding } from './identity-binding';
import {
  parseIdentityDocument,
  verifyDocumentSignature,
  type IdentityDocument,
} from './identity-document';
import { IdentityError } from './identity-error';
import type { IdentityStore } from './identity-store';
import { CUSTOM_TOKEN_LIFETIME_MS, type TokenMinter } from './token-minter';

export interface AgentTokenDeps {
  /** region → AWS RSA certificate (see functions/config/aws-identity-certificates.json) */
  certificates: ReadonlyMap<string, X509Certificate>;
  compute: ComputePort;
  store: IdentityStore;
  minter: TokenMinter;
  clock: Clock;
  logger: Logger;
  /**
   * The pool's AWS account (settings.awsAccountId). A document of another account is refused
   * (ACCOUNT_MISMATCH); while it is null every exchange is refused (ACCOUNT_NOT_CONFIGURED).
   */
  expectedAccountId: string | null;
  /**
   * Raises an alert through the alert use case (deduped by sourceId). Called with a critical
   * pool alert when an exchange is refused with NONCE_MISMATCH or REPLAYED_DOCUMENT.
   */
  raiseAlert(draft: AlertDraft): Promise<unknown>;
  /**
   * how long after an instance's start its first exchange may bind (settings.agentBindWindowMs);
   * default DEFAULT_BIND_WINDOW_MS
   */
  maxBindAgeMs?: number;
}

export interface AgentTokenGrant {
  token: string;
  vmId: string;
  expiresAt: number;
}

/** A boot and the agent's retries fit in it (ami/README.md, "First bind"). */
export const DEFAULT_BIND_WINDOW_MS = 10 * 60 * 1000;
const ATTACK_CODES: ReadonlySet<string> = new Set<IdentityAttackCode>([
  'NONCE_MISMATCH',
  'REPLAYED_DOCUMENT',
]);
const BODY_LIMIT_BYTES = 16 * 1024;
const NONCE = /^[A-Za-z0-9_-]{16,256}$/;

interface ExchangeRequest {
  document: string;
  signature: string;
  nonce: string;
}

function parseExchangeRequest(raw: unknown): ExchangeRequest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new IdentityError(
      'INVALID_REQUEST',
      'Expected a JSON object { document, signature, nonce }',
    );
  }
  const body = raw as Record<string, unknown>;
  const problems: string[] = [];
  for (const name of ['document', 'signature', 'nonce'] as const) {
    if (typeof body[name] !== 'string' || body[name] === '')
      problems.push(`${name}: required string`);
  }
  if (typeof body.nonce === 'string' && body.nonce !== '' && !NONCE.test(body.nonce)) {
    problems.push('nonce: must be 16..256 letters, digits, _ or -');
  }
  const extra = Object.keys(body).filter(
    (key) => !['document', 'signature', 'nonce'].includes(key),
  );
  if (extra.length > 0)
    problems.push(`unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}`);
  if (problems.length > 0) throw new IdentityError('INVALID_REQUEST', problems.join('; '));
  return body as unknown as ExchangeRequest;
}

/**
 * The `agentToken` HTTPS function: trades a VM's signed EC2 identity document for a Firebase
 * custom token whose only claim is that VM's id. Compatible with firebase-functions `onRequest`.
 */
export function createAgentTokenHandler(deps: AgentTokenDeps) {
  const maxBindAgeMs = deps.maxBindAgeMs ?? DEFAULT_BIND_WINDOW_MS;

  function checkAccount(document: IdentityDocument): void {
    if (deps.expectedAccountId === null) {
      throw new IdentityError(
        'ACCOUNT_NOT_CONFIGURED',
        'The functions have no VMPOOL_AWS_ACCOUNT_ID: no identity document can be checked',
      );
    }
    if (document.accountId !== deps.expectedAccountId) {
      throw new IdentityError(
        'ACCOUNT_MISMATCH',
        `Instance ${document.instanceId} belongs to AWS account ${document.accountId}, not the pool's`,
      );
    }
  }

  /** An attack indicator: raise the alert, never let a failure to raise it change the answer. */
  async function alertOnAttack(error: IdentityError, instanceId: string, vmId: string) {
    if (!ATTACK_CODES.has(error.code)) return;
    deps.logger.error('agent identity challenged', { code: error.code, instanceId, vmId });
    try {
      await deps.raiseAlert(
        identityChallengedAlert({
          instanceId,
          vmId,
          code: error.code as IdentityAttackCode,
          now: deps.clock.now(),
        }),
      );
    } catch (alertError) {
      deps.logger.error('could not raise the identity alert', {
        instanceId,
        error: String(alertError),
      });
    }
  }

  async function poolInstance(document: IdentityDocument) {
    const poolTags = await deps.store.poolTags();
    let instances;
    try {
      instances = await deps.compute.describePoolInstances(document.region, poolTags);
    } catch (error) {
      if (isComputeError(error)) {
        throw new IdentityError('COMPUTE_UNAVAILABLE', `EC2 could not be asked: ${error.message}`);
      }
      throw error;
    }
    const instance = instances.find((candidate) => candidate.instanceId === document.instanceId);
    if (!instance) {
      throw new IdentityError(
        'NOT_IN_POOL',
        `Instance ${document.instanceId} in ${document.region} is not tagged into the pool`,
      );
    }
    if (instance.state !== 'running') {
      throw new IdentityError(
        'INSTANCE_NOT_RUNNING',
        `Instance ${document.instanceId} is ${instance.state}, not running`,
      );
    }
    return instance;
  }

  async function resolveVmId(instanceId: string, vmIdTag: string | undefined): Promise<string> {
    if (vmIdTag !== undefined) {
      if (!isValidVmId(vmIdTag)) {
        throw new IdentityError(
          'VM_ID_CONFLICT',
          `The VmId tag ${JSON.stringify(vmIdTag)} is not a VM id`,
        );
      }
      const recorded = await deps.store.instanceIdOfVm(vmIdTag);
      if (recorded !== null && recorded !== instanceId) {
        throw new IdentityError(
          'VM_ID_CONFLICT',
          `${vmIdTag} belongs to instance ${recorded}, not ${instanceId}`,
        );
      }
      return vmIdTag;
    }
    const vmId = await deps.store.vmIdForInstance(instanceId);
    if (vmId === null) {
      throw new IdentityError(
        'VM_NOT_REGISTERED',
        `Instance ${instanceId} has no VmId tag and no pool record yet; the next reconcile adopts it`,
      );
    }
    return vmId;
  }

  async function exchange(raw: unknown): Promise<AgentTokenGrant> {
    const request = parseExchangeRequest(raw);
    const document = parseIdentityDocument(request.document);
    verifyDocumentSignature(
      request.document,
      request.signature,
      document.region,
      deps.certificates,
    );
    checkAccount(document);
    const instance = await poolInstance(document);
    const vmId = await resolveVmId(document.instanceId, instance.tags.VmId);
    const now = deps.clock.now();
    try {
      await deps.store.bind(document.instanceId, (current) =>
        decideBinding(current, {
          nonceHash: createHash('sha256').update(request.nonce).digest('hex'),
          pendingTime: document.pendingTime,
          vmId,
          now,
          maxBindAgeMs,
        }),
      );
    } catch (error) {
      if (error instanceof IdentityError) await alertOnAttack(error, document.instanceId, vmId);
      throw error;
    }
    // The token names the instance: the rules compare it with the VM record (docs/contract.md).
    const token = await deps.minter.mint(agentAuthUid(document.instanceId), {
      vmId,
      instanceId: document.instanceId,
    });
    return { token, vmId, expiresAt: now + CUSTOM_TOKEN_LIFETIME_MS };
  }

  return async function agentToken(req: HttpRequest, res: HttpResponse): Promise<void> {
    if (req.method !== 'POST') {
      sendError(res, 405, 'METHOD_NOT_ALLOWED', 'Use POST with { document, signature, nonce }', {
        headers: { allow: 'POST' },
      });
      return;
    }
    const body = await readJsonBody(req, BODY_LIMIT_BYTES);
    if (!body.ok) {
      sendError(res, body.status, body.code, body.message);
      return;
    }
    try {
      const grant = await exchange(body.value);
      deps.logger.info('agent token issued', { vmId: grant.vmId });
      sendJson(res, 200, grant);
    } catch (error) {
      if (error instanceof IdentityError) {
        deps.logger.warn('agent token refused', { code: error.code, reason: error.message });
        sendError(res, error.status, error.code, error.message);
        return;
      }
      deps.logger.error('agent token exchange failed', { error: String(error) });
      sendError(res, 500, 'INTERNAL', 'The token exchange failed; try again');
    }
  };
}
