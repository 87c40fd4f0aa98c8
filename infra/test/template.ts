import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { VmpoolStack } from '../src/stack';

/** Parameter and pseudo-parameter values the tests deploy the template with, on paper. */
export const VALUES: Record<string, string> = {
  VpcId: 'vpc-0abc1234def567890',
  SubnetId: 'subnet-0123456789abcdef0',
  AdminCidr: '203.0.113.7/32',
  FunctionsServiceAccountId: '112233445566778899001',
  FirebaseProjectId: 'gg-vmpool',
  FunctionsRegion: 'us-central1',
  PoolTagProject: 'gymnastics-graphics',
  PoolTagManagedBy: 'vm-pool-manager',
  'AWS::AccountId': '111122223333',
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::StackName': 'vmpool',
  'AWS::URLSuffix': 'amazonaws.com',
};

/** The context of cdk.json (the CLI's), so the tests synthesise what `cdk synth` does. */
export const CDK_CONTEXT = (
  JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

export function synthTemplate(stackName = 'vmpool'): Template {
  const app = new App({ context: CDK_CONTEXT });
  const stack = new VmpoolStack(app, stackName, { stackName });
  return Template.fromStack(stack);
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Resolves CloudFormation intrinsics with VALUES so assertions read like the deployed policy:
 * a Ref to a resource becomes `<LogicalId>`, a GetAtt `<LogicalId.Attribute>`; Fn::Join joins.
 */
export function resolve(value: unknown): Json {
  if (Array.isArray(value)) return value.map(resolve);
  if (typeof value !== 'object' || value === null) return value as Json;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const arg = record[key];
    if (key === 'Ref') return VALUES[arg as string] ?? `<${String(arg)}>`;
    if (key === 'Fn::GetAtt') return `<${(arg as string[]).join('.')}>`;
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((part) => String(resolve(part))).join(separator);
    }
  }
  return Object.fromEntries(keys.map((key) => [key, resolve(record[key])]));
}

/** The one resource of a type whose properties satisfy `where`; fails unless exactly one. */
export function onlyResource(
  template: Template,
  type: string,
  where: (properties: Record<string, unknown>) => boolean = () => true,
): { id: string; properties: Record<string, unknown>; resource: Record<string, unknown> } {
  const found = Object.entries(template.findResources(type)).filter(([, resource]) =>
    where((resource.Properties ?? {}) as Record<string, unknown>),
  );
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  const [id, resource] = found[0]!;
  return { id, properties: (resource.Properties ?? {}) as Record<string, unknown>, resource };
}
