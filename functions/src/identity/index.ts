export {
  createAgentTokenHandler,
  DEFAULT_BIND_WINDOW_MS,
  type AgentTokenDeps,
  type AgentTokenGrant,
} from './agent-token-handler';
export { loadIdentityCertificates, parseIdentityCertificates } from './certificates';
export { shippedIdentityCertificates } from './shipped-certificates';
export { decideBinding, type IdentityBinding } from './identity-binding';
export {
  parseIdentityDocument,
  verifyDocumentSignature,
  type IdentityDocument,
} from './identity-document';
export { IdentityError, type IdentityErrorCode } from './identity-error';
export { createRtdbIdentityStore, type IdentityStore } from './identity-store';
export { CUSTOM_TOKEN_LIFETIME_MS, firebaseTokenMinter, type TokenMinter } from './token-minter';
