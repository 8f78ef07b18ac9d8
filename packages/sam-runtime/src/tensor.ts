import { InvalidTensorError } from './errors';

/** A float32 tensor crossing package boundaries: row-major data with explicit dims. */
export interface Tensor32 {
  data: Float32Array;
  dims: number[];
}

/** Throws InvalidTensorError unless `tensor` has exactly `dims` and matching data length. */
export function assertDims(name: string, tensor: Tensor32 | undefined, dims: readonly number[]): Tensor32 {
  if (!tensor || !(tensor.data instanceof Float32Array) || !Array.isArray(tensor.dims)) {
    throw new InvalidTensorError(name, `expected a { data: Float32Array, dims } tensor of dims [${dims}]`);
  }
  const same = tensor.dims.length === dims.length && tensor.dims.every((d, i) => d === dims[i]);
  const length = dims.reduce((a, b) => a * b, 1);
  if (!same || tensor.data.length !== length) {
    throw new InvalidTensorError(
      name,
      `expected dims [${dims}] (${length} values), got dims [${tensor.dims}] with ${tensor.data.length} values`,
    );
  }
  return tensor;
}
