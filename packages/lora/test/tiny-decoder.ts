import { onnx } from 'onnx-proto';

/**
 * A tiny ONNX graph with the layouts sam.onnx uses, built in code so unit tests need no model file:
 *   x [n,3] → Gemm `/head/layers.0/Gemm` (named W [4,3], transB=1, alpha=0.5, bias) → Relu
 *           → MatMul `/proj/MatMul` (anonymous W [4,5]) → Add bias
 *           → MatMul `/tied/MatMul` and `/tied_again/MatMul` (one shared W [5,5]) → Add → y [n,5]
 *   plus `/transposed/Gemm` (transA=1), which is not an x·Wᵀ layer and must not be discovered.
 */
export const TINY = {
  head: Float32Array.from({ length: 12 }, (_, k) => Math.sin(k + 1) * 0.5),
  headBias: Float32Array.of(0.1, -0.2, 0.3, 0.05),
  proj: Float32Array.from({ length: 20 }, (_, k) => Math.cos(k * 0.7) * 0.4),
  projBias: Float32Array.of(0.01, 0.02, -0.03, 0.04, 0.0),
  tied: Float32Array.from({ length: 25 }, (_, k) => ((k * 7) % 11) / 11 - 0.5),
  headAlpha: 0.5,
};

const tensor = (name: string, dims: number[], values: Float32Array): onnx.ITensorProto => ({
  name,
  dims,
  dataType: onnx.TensorProto.DataType.FLOAT,
  rawData: new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength)),
});
const floatValue = (name: string, dims: (number | string)[]): onnx.IValueInfoProto => ({
  name,
  type: {
    tensorType: {
      elemType: onnx.TensorProto.DataType.FLOAT,
      shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
    },
  },
});
const int = (name: string, i: number): onnx.IAttributeProto => ({
  name,
  type: onnx.AttributeProto.AttributeType.INT,
  i,
});

export function tinyDecoderBytes(): Uint8Array {
  const graph: onnx.IGraphProto = {
    name: 'tiny',
    input: [floatValue('x', ['n', 3]), floatValue('xt', [3, 2])],
    output: [floatValue('y', ['n', 5]), floatValue('odd', [2, 4])],
    initializer: [
      tensor('head.layers.0.weight', [4, 3], TINY.head),
      tensor('head.layers.0.bias', [4], TINY.headBias),
      tensor('onnx::MatMul_7', [4, 5], TINY.proj),
      tensor('proj.bias', [5], TINY.projBias),
      tensor('onnx::MatMul_9', [5, 5], TINY.tied),
    ],
    node: [
      {
        name: '/head/layers.0/Gemm',
        opType: 'Gemm',
        input: ['x', 'head.layers.0.weight', 'head.layers.0.bias'],
        output: ['h'],
        attribute: [
          int('transB', 1),
          { name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: TINY.headAlpha },
        ],
      },
      { name: '/head/Relu', opType: 'Relu', input: ['h'], output: ['r'] },
      { name: '/proj/MatMul', opType: 'MatMul', input: ['r', 'onnx::MatMul_7'], output: ['p'] },
      { name: '/proj/Add', opType: 'Add', input: ['proj.bias', 'p'], output: ['pb'] },
      { name: '/tied/MatMul', opType: 'MatMul', input: ['pb', 'onnx::MatMul_9'], output: ['t1'] },
      { name: '/tied_again/MatMul', opType: 'MatMul', input: ['pb', 'onnx::MatMul_9'], output: ['t2'] },
      { name: '/Add', opType: 'Add', input: ['t1', 't2'], output: ['y'] },
      {
        name: '/transposed/Gemm',
        opType: 'Gemm',
        input: ['xt', 'head.layers.0.weight'],
        output: ['odd'],
        attribute: [int('transA', 1), int('transB', 1)],
      },
    ],
  };
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'tasam-lora-test',
    graph,
  }).finish();
}

/** y = x·Wᵀ for W [out,in] (PyTorch layout), row-major x [n,in]. */
export function linearOutIn(
  x: Float32Array,
  w: Float32Array,
  n: number,
  inF: number,
  outF: number,
): Float64Array {
  const y = new Float64Array(n * outF);
  for (let s = 0; s < n; s++)
    for (let o = 0; o < outF; o++)
      for (let i = 0; i < inF; i++) y[s * outF + o] += x[s * inF + i] * w[o * inF + i];
  return y;
}

/** y = x·W for W [in,out] (MatMul layout). */
export function linearInOut(
  x: ArrayLike<number>,
  w: Float32Array,
  n: number,
  inF: number,
  outF: number,
): Float64Array {
  const y = new Float64Array(n * outF);
  for (let s = 0; s < n; s++)
    for (let o = 0; o < outF; o++)
      for (let i = 0; i < inF; i++) y[s * outF + o] += x[s * inF + i] * w[i * outF + o];
  return y;
}
