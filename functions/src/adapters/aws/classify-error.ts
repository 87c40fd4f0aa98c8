import { ComputeError, type ComputeErrorCode } from '@vmpool/core/ports';

/** Provider error codes (EC2 and SSM) and the class each belongs to. */
const EXACT_CODES: Record<string, ComputeErrorCode> = {
  RequestLimitExceeded: 'THROTTLED',
  Throttling: 'THROTTLED',
  ThrottlingException: 'THROTTLED',
  TooManyRequestsException: 'THROTTLED',
  InsufficientInstanceCapacity: 'CAPACITY',
  InsufficientHostCapacity: 'CAPACITY',
  InsufficientReservedInstanceCapacity: 'CAPACITY',
  InsufficientAddressCapacity: 'CAPACITY',
  InsufficientCapacity: 'CAPACITY',
  InstanceLimitExceeded: 'CAPACITY',
  VcpuLimitExceeded: 'CAPACITY',
  MaxSpotInstanceCountExceeded: 'CAPACITY',
  Unsupported: 'INVALID_CONFIG',
  IncorrectInstanceState: 'WRONG_STATE',
  IncorrectState: 'WRONG_STATE',
  InvalidInstanceId: 'NOT_FOUND',
  'InvalidInstanceID.NotFound': 'NOT_FOUND',
  'InvalidInstanceID.Malformed': 'NOT_FOUND',
  InvalidInstanceID: 'NOT_FOUND',
  InvalidCommandId: 'NOT_FOUND',
  MissingParameter: 'INVALID_CONFIG',
  InvalidParameter: 'INVALID_CONFIG',
  InvalidParameterValue: 'INVALID_CONFIG',
  InvalidParameterCombination: 'INVALID_CONFIG',
  InvalidParameterException: 'INVALID_CONFIG',
  InvalidInstanceType: 'INVALID_CONFIG',
  UnknownParameter: 'INVALID_CONFIG',
  ValidationError: 'INVALID_CONFIG',
  ValidationException: 'INVALID_CONFIG',
  InvalidDocument: 'INVALID_CONFIG',
  // IAM's answer for an unknown instance profile (EC2 itself says InvalidParameterValue)
  NoSuchEntity: 'INVALID_CONFIG',
  InvalidUserData: 'INVALID_CONFIG',
  'InvalidUserData.Malformed': 'INVALID_CONFIG',
  AuthFailure: 'AUTH',
  UnauthorizedOperation: 'AUTH',
  AccessDenied: 'AUTH',
  AccessDeniedException: 'AUTH',
  InvalidClientTokenId: 'AUTH',
  SignatureDoesNotMatch: 'AUTH',
  ExpiredToken: 'AUTH',
  ExpiredTokenException: 'AUTH',
  UnrecognizedClientException: 'AUTH',
  OptInRequired: 'AUTH',
  Blocked: 'AUTH',
  InternalError: 'UNAVAILABLE',
  InternalFailure: 'UNAVAILABLE',
  InternalServerError: 'UNAVAILABLE',
  ServiceUnavailable: 'UNAVAILABLE',
  Unavailable: 'UNAVAILABLE',
  TimeoutError: 'UNAVAILABLE',
  RequestTimeout: 'UNAVAILABLE',
  RequestTimeoutException: 'UNAVAILABLE',
};

/** Families of codes that share a prefix, e.g. `InvalidAMIID.NotFound`, `InvalidGroup.Malformed`. */
const PREFIXES: [string, ComputeErrorCode][] = [
  ['InvalidAMIID', 'INVALID_CONFIG'],
  ['InvalidSubnetID', 'INVALID_CONFIG'],
  ['InvalidSubnet', 'INVALID_CONFIG'],
  ['InvalidGroup', 'INVALID_CONFIG'],
  ['InvalidSecurityGroupID', 'INVALID_CONFIG'],
  ['InvalidKeyPair', 'INVALID_CONFIG'],
  ['InvalidIamInstanceProfile', 'INVALID_CONFIG'],
  ['InvalidInstanceType', 'INVALID_CONFIG'],
  ['InvalidBlockDeviceMapping', 'INVALID_CONFIG'],
  ['InvalidAvailabilityZone', 'INVALID_CONFIG'],
  ['InvalidVpcID', 'INVALID_CONFIG'],
  ['InvalidNetworkInterface', 'INVALID_CONFIG'],
  ['InvalidTag', 'INVALID_CONFIG'],
  ['InvalidClientToken', 'INVALID_CONFIG'],
  ['InsufficientFreeAddresses', 'CAPACITY'],
];

/** Node network failures: the request never got an answer. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  Code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

function shape(error: unknown): ErrorShape {
  return typeof error === 'object' && error !== null ? (error as ErrorShape) : {};
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The provider's error code: AWS SDK v3 puts it in `name`; some paths use `Code` or `code`. */
export function providerErrorCode(error: unknown): string | undefined {
  const { name, Code, code } = shape(error);
  const fromName = stringOrUndefined(name);
  if (fromName && fromName !== 'Error' && fromName !== 'ServiceException') return fromName;
  return stringOrUndefined(Code) ?? stringOrUndefined(code);
}

function classOf(providerCode: string | undefined, status: number | undefined): ComputeErrorCode {
  if (providerCode) {
    const exact = EXACT_CODES[providerCode];
    if (exact) return exact;
    for (const [prefix, code] of PREFIXES) {
      if (providerCode === prefix || providerCode.startsWith(`${prefix}.`)) return code;
    }
    if (NETWORK_CODES.has(providerCode)) return 'UNAVAILABLE';
  }
  if (status === 429) return 'THROTTLED';
  if (status === 401 || status === 403) return 'AUTH';
  if (status !== undefined && status >= 500) return 'UNAVAILABLE';
  return 'UNKNOWN';
}

/**
 * Turns anything an AWS SDK call throws into a ComputeError. Pure: callers decide on the class
 * (and its `retryable` flag), never on message text. A ComputeError passes through unchanged.
 */
export function classifyAwsError(error: unknown, action?: string): ComputeError {
  if (error instanceof ComputeError) return error;
  const providerCode = providerErrorCode(error);
  const rawStatus = shape(error).$metadata?.httpStatusCode;
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const code = classOf(providerCode, status);
  const detail = stringOrUndefined(shape(error).message) ?? String(error);
  const prefix = action ? `${action} failed` : 'AWS call failed';
  const label = providerCode ? ` (${providerCode})` : '';
  return new ComputeError(code, `${prefix}${label}: ${detail}`, providerCode);
}
