/** Why an identity exchange was refused; `status` is the HTTP answer, `code` is for machines. */
export const IDENTITY_ERROR_STATUS = {
  INVALID_REQUEST: 400,
  INVALID_DOCUMENT: 400,
  UNKNOWN_REGION: 400,
  BAD_SIGNATURE: 401,
  STALE_DOCUMENT: 403,
  REPLAYED_DOCUMENT: 403,
  NONCE_MISMATCH: 403,
  NOT_IN_POOL: 403,
  ACCOUNT_MISMATCH: 403,
  VM_ID_CONFLICT: 403,
  INSTANCE_NOT_RUNNING: 409,
  VM_NOT_REGISTERED: 409,
  METHOD_NOT_ALLOWED: 405,
  UNSUPPORTED_MEDIA_TYPE: 415,
  PAYLOAD_TOO_LARGE: 413,
  COMPUTE_UNAVAILABLE: 503,
  ACCOUNT_NOT_CONFIGURED: 500,
  INTERNAL: 500,
} as const;
export type IdentityErrorCode = keyof typeof IDENTITY_ERROR_STATUS;

export class IdentityError extends Error {
  readonly code: IdentityErrorCode;
  readonly status: number;

  constructor(code: IdentityErrorCode, message: string) {
    super(message);
    this.name = 'IdentityError';
    this.code = code;
    this.status = IDENTITY_ERROR_STATUS[code];
  }
}
