export { AwsCallCounter } from './call-counter';
export { DEFAULT_MAX_ATTEMPTS, type AwsClientOptions } from './aws-client-options';
export { classifyAwsError, providerErrorCode } from './classify-error';
export { createEc2Compute, type Ec2ComputeOptions } from './ec2-compute';
export { createSsmRemoteExec } from './ssm-remote-exec';
export { quoteShellArgument, shellScriptLines } from './shell-script';
