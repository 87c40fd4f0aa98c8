// The local compute provider: ComputePort over real agent and show server processes.
export {
  LocalCompute,
  type CrashResult,
  type KillAgentResult,
  type LocalComputeOptions,
  type LocalVmInfo,
} from './provider';
export { readState, type LocalComputeState, type LocalInstanceRecord } from './state-store';
