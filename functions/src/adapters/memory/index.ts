export { MemoryCompute, type ComputeMethod, type MemoryComputeOptions } from './memory-compute';
export { FaultyCompute } from './faulty-compute';
