// The CDK app: `npm run infra:synth` (offline) and `npm run infra:deploy` run it through the
// CDK CLI. `-c stackName=NAME` deploys a second copy (e.g. staging) beside the default one.
import { App } from 'aws-cdk-lib';
import { DEFAULT_STACK_NAME } from '../src/outputs';
import { VmpoolStack } from '../src/stack';

const app = new App();
const contextName: unknown = app.node.tryGetContext('stackName');
const stackName =
  typeof contextName === 'string' && contextName !== '' ? contextName : DEFAULT_STACK_NAME;
new VmpoolStack(app, stackName, {
  stackName,
  description: 'vmpool: control-plane role, VM role, security group, recordings, EC2 state events',
});
app.synth();
