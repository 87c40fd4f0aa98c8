import { createHash, type X509Certificate } from 'node:crypto';
import { isValidVmId } from '@vmpool/core';
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
import { agentUid, CUSTOM_TOKEN_LIFETIME_MS, type TokenMinter } from './token-minter';

export interface AgentTokenDeps {
  /** region → AWS RSA certificate (see functions/config/aws-identity-certificates.json) */
  certificates: ReadonlyMap<string, X509Certificate>;
  compute: ComputePort;
  store: IdentityStore;
  minter: TokenMinter;
  clock: Clock;
  logger: Logger;
  /** how long after an instance's start its first exchange may bind; default 1 h */
  maxBindAgeMs?: number;
}

export interface AgentTokenGrant {
  token: string;
  vmId: string;
  expiresAt: number;
}

const DEFAULT_MAX_BIND_AGE_MS = 60 * 60 * 1000;
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
  const maxBindAgeMs = deps.maxBindAgeMs ?? DEFAULT_MAX_BIND_AGE_MS;

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
    const instance = await poolInstance(document);
    const vmId = await resolveVmId(document.instanceId, instance.tags.VmId);
    const now = deps.clock.now();
    await deps.store.bind(document.instanceId, (current) =>
      decideBinding(current, {
        nonceHash: createHash('sha256').update(request.nonce).digest('hex'),
        pendingTime: document.pendingTime,
        vmId,
        now,
        maxBindAgeMs,
      }),
    );
    const token = await deps.minter.mint(agentUid(vmId), { vmId });
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
