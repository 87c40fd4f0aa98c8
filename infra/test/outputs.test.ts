import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INFRA_OUTPUT_KEYS, parseInfraOutputs } from '../src/outputs';

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/outputs.json', import.meta.url), 'utf8'),
) as { vmpool: Record<string, string> };

describe('infra outputs (infra/outputs.json)', () => {
  it('parses the outputs cdk deploy writes', () => {
    const parsed = parseInfraOutputs(fixture);
    expect(parsed).toEqual({
      ok: true,
      value: expect.objectContaining({
        stackName: 'vmpool',
        region: 'us-east-1',
        controlPlaneRoleArn: 'arn:aws:iam::111122223333:role/vmpool-control-plane',
        recordingsPrefix: 'recordings',
      }),
    });
  });

  it('reports every missing and malformed output at once', () => {
    const { VmSubnetId: _subnet, ...rest } = fixture.vmpool;
    const parsed = parseInfraOutputs({
      vmpool: { ...rest, SecurityGroupId: 'default', ControlPlaneRoleArn: 'vmpool-control-plane' },
    });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors).toEqual([
      'VmSubnetId: missing',
      'SecurityGroupId: must be a security group id (sg-…), got "default"',
      'ControlPlaneRoleArn: must be an IAM role ARN, got "vmpool-control-plane"',
    ]);
  });

  it('picks the stack: the only one, the one named, or says which exist', () => {
    const two = { vmpool: fixture.vmpool, 'vmpool-staging': fixture.vmpool };
    expect(parseInfraOutputs(two, 'vmpool-staging')).toMatchObject({
      ok: true,
      value: { stackName: 'vmpool-staging' },
    });
    expect(parseInfraOutputs(two)).toMatchObject({ ok: true, value: { stackName: 'vmpool' } });
    expect(parseInfraOutputs({ a: {}, b: {} })).toEqual({
      ok: false,
      errors: ['the outputs file holds several stacks (a, b): choose one'],
    });
    expect(parseInfraOutputs(two, 'prod')).toEqual({
      ok: false,
      errors: ['the outputs file has no stack "prod" (it has: vmpool, vmpool-staging)'],
    });
    expect(parseInfraOutputs([])).toEqual({
      ok: false,
      errors: ['the outputs file must hold a JSON object of stacks'],
    });
  });

  it('names one key per field', () => {
    const keys = Object.values(INFRA_OUTPUT_KEYS);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
