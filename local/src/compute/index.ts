// The local compute provider: ComputePort over real agent and show server processes.
export {
  LocalCompute,
  EC2_FAULT_ERRORS,
  EC2_FAULT_OPS,
  type ArmedEc2Fault,
  type Ec2FaultError,
  type Ec2FaultOp,
  type CrashResult,
  type KillAgentResult,
  type LocalComputeOptions,
  type LocalVmInfo,
} from './provider';
export { readState, type LocalComputeState, type LocalInstanceRecord } from './state-store';
