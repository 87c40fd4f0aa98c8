import { describe, expect, it } from 'vitest';
import { ComputeError } from '@vmpool/core/ports';
import { classifyAwsError, providerErrorCode } from '../../src/adapters/aws/classify-error';

/** The shape the AWS SDK v3 gives a service error: the code in `name`, HTTP status in metadata. */
function sdkError(name: string, status: number, message = 'from AWS') {
  return Object.assign(new Error(message), {
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
}

describe('classifyAwsError', () => {
  it.each([
    ['RequestLimitExceeded', 503, 'THROTTLED', true],
    ['Throttling', 400, 'THROTTLED', true],
    ['ThrottlingException', 400, 'THROTTLED', true],
    ['InsufficientInstanceCapacity', 500, 'CAPACITY', true],
    ['InstanceLimitExceeded', 400, 'CAPACITY', true],
    ['VcpuLimitExceeded', 400, 'CAPACITY', true],
    ['InsufficientHostCapacity', 500, 'CAPACITY', true],
    ['IncorrectInstanceState', 400, 'WRONG_STATE', false],
    ['InvalidInstanceID.NotFound', 400, 'NOT_FOUND', false],
    ['InvalidInstanceID.Malformed', 400, 'NOT_FOUND', false],
    ['InvalidInstanceId', 400, 'NOT_FOUND', false],
    ['InvalidAMIID.NotFound', 400, 'INVALID_CONFIG', false],
    ['InvalidAMIID.Malformed', 400, 'INVALID_CONFIG', false],
    ['InvalidSubnetID.NotFound', 400, 'INVALID_CONFIG', false],
    ['InvalidGroup.NotFound', 400, 'INVALID_CONFIG', false],
    ['InvalidKeyPair.NotFound', 400, 'INVALID_CONFIG', false],
    ['InvalidParameterValue', 400, 'INVALID_CONFIG', false],
    ['InvalidParameterCombination', 400, 'INVALID_CONFIG', false],
    ['AuthFailure', 401, 'AUTH', false],
    ['UnauthorizedOperation', 403, 'AUTH', false],
    ['InternalError', 500, 'UNAVAILABLE', true],
    ['ServiceUnavailable', 503, 'UNAVAILABLE', true],
  ] as const)('%s (HTTP %i) is %s', (name, status, code, retryable) => {
    const error = classifyAwsError(sdkError(name, status));
    expect(error).toBeInstanceOf(ComputeError);
    expect(error.code).toBe(code);
    expect(error.retryable).toBe(retryable);
    expect(error.providerCode).toBe(name);
  });

  it('does not take a look-alike prefix for a family (InvalidGroupX is not InvalidGroup.*)', () => {
    expect(classifyAwsError(sdkError('InvalidGroupX', 400)).code).toBe('UNKNOWN');
  });

  it('falls back on the HTTP status for unknown codes', () => {
    expect(classifyAwsError(sdkError('SomethingNew', 502)).code).toBe('UNAVAILABLE');
    expect(classifyAwsError(sdkError('SomethingNew', 429)).code).toBe('THROTTLED');
    expect(classifyAwsError(sdkError('SomethingNew', 403)).code).toBe('AUTH');
    expect(classifyAwsError(sdkError('SomethingNew', 400)).code).toBe('UNKNOWN');
  });

  it('treats network failures as UNAVAILABLE', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'ECONNREFUSED',
    });
    expect(classifyAwsError(refused).code).toBe('UNAVAILABLE');
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    expect(classifyAwsError(timeout).code).toBe('UNAVAILABLE');
  });

  it('names the action and the provider code in the message', () => {
    const error = classifyAwsError(sdkError('IncorrectInstanceState', 400, 'not now'), 'Start i-1');
    expect(error.message).toBe('Start i-1 failed (IncorrectInstanceState): not now');
  });

  it('passes a ComputeError through and copes with values that are not errors', () => {
    const original = new ComputeError('CAPACITY', 'full', 'InsufficientInstanceCapacity');
    expect(classifyAwsError(original)).toBe(original);
    expect(classifyAwsError('boom').code).toBe('UNKNOWN');
    expect(classifyAwsError(undefined).message).toContain('undefined');
    expect(providerErrorCode(new Error('plain'))).toBeUndefined();
  });
});
