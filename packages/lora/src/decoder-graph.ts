import { onnx } from 'onnx-proto';
import { readFileBytes } from './atomic-file';
import { LoraLayoutError } from './errors/lora-layout-error';
import { LoraTargetNotFoundError } from './errors/lora-target-not-found-error';
import { OnnxModelError } from './errors/onnx-model-error';
import { type LoraTarget, pathFromNodeName } from './lora-target';

type Int64 = number | { toString(): string };

/** protobufjs returns int64 fields as Long objects; the graph's dims and attributes fit in a double. */
export const toNumber = (value: Int64 | null | undefined): number =>
  typeof value === 'number' ? value : Number(value?.toString() ?? 0);

/** A linear layer found in the graph, with the node and initializer it lives in. */
export interface GraphLinear {
  target: LoraTarget;
  node: onnx.INodeProto;
  nodeIndex: number;
  weight: onnx.ITensorProto;
  /** Gemm's alpha (Y = alpha·X·Wᵀ + beta·C); 1 for MatMul. */
  gemmAlpha: number;
}

/** Prefixes of the graph inputs LoRA injection adds: `lora_A.<path>` [rank, in], `lora_B.<path>` [out, rank]. */
export const LORA_A_INPUT = 'lora_A.';
export const LORA_B_INPUT = 'lora_B.';

/**
 * A decoded ONNX model (SAM's mask decoder, `sam.onnx`) and the linear layers LoRA can target, found by node
 * name (`/transformer/layers.0/self_attn/q_proj/MatMul` → `transformer.layers.0.self_attn.q_proj`) and the
 * shape of the node's weight initializer, never by initializer ids. Treat it as read-only: surgery builds
 * new models that share its unchanged parts.
 */
export class DecoderGraph {
  private readonly linears = new Map<string, GraphLinear>();
  private readonly ambiguous = new Set<string>();
  readonly initializers: ReadonlyMap<string, onnx.ITensorProto>;

  private constructor(
    readonly model: onnx.ModelProto,
    readonly source: string,
  ) {
    const graph = model.graph as onnx.IGraphProto;
    this.initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
    (graph.node ?? []).forEach((node, nodeIndex) => {
      const linear = this.linearAt(node, nodeIndex);
      if (!linear) return;
      const path = linear.target.path;
      if (this.linears.has(path)) this.ambiguous.add(path);
      else this.linears.set(path, linear);
    });
    for (const path of this.ambiguous) this.linears.delete(path);
  }

  /** Decodes ONNX bytes; `source` names them in errors. */
  static decode(bytes: Uint8Array, source = 'ONNX bytes'): DecoderGraph {
    let model: onnx.ModelProto;
    try {
      model = onnx.ModelProto.decode(bytes);
    } catch (cause) {
      throw new OnnxModelError(source, `protobuf decoding failed (${(cause as Error).message})`, { cause });
    }
    if (!model.graph || (model.graph.node ?? []).length === 0)
      throw new OnnxModelError(source, 'it has no graph nodes');
    return new DecoderGraph(model, source);
  }

  static async load(path: string): Promise<DecoderGraph> {
    return DecoderGraph.decode(await readFileBytes(path), path);
  }

  get graph(): onnx.IGraphProto {
    return this.model.graph as onnx.IGraphProto;
  }

  /**
   * Every linear layer (Gemm, or MatMul against a 2-D float initializer) whose node name carries a module
   * path, optionally filtered by path: e.g. `discoverTargets(isAttentionProjection)`.
   */
  discoverTargets(filter: (path: string) => boolean = () => true): LoraTarget[] {
    return [...this.linears.values()].map((l) => l.target).filter((t) => filter(t.path));
  }

  /**
   * The graph's linear for a target (by module path). When `expected` is a full target its features and
   * layout must match the graph's. Throws LoraTargetNotFoundError or LoraLayoutError naming the target.
   */
  linear(expected: string | LoraTarget): GraphLinear {
    const path = typeof expected === 'string' ? expected : expected.path;
    if (this.ambiguous.has(path))
      throw new LoraLayoutError(path, `several nodes in ${this.source} compute this module`);
    const found = this.linears.get(path);
    if (!found) throw new LoraTargetNotFoundError(path, this.source);
    if (typeof expected !== 'string') {
      const actual = found.target;
      for (const key of ['nodeName', 'op', 'weightLayout', 'inFeatures', 'outFeatures'] as const) {
        if (actual[key] !== expected[key]) {
          throw new LoraLayoutError(
            path,
            `${key} is ${actual[key]} in ${this.source}, the target expects ${expected[key]}`,
          );
        }
      }
    }
    return found;
  }

  /** The targets a LoRA-injected graph expects feeds for, in graph-input order. */
  injectedTargets(): LoraTarget[] {
    return (this.graph.input ?? [])
      .map((input) => input.name ?? '')
      .filter((name) => name.startsWith(LORA_A_INPUT))
      .map((name) => this.linear(name.slice(LORA_A_INPUT.length)).target);
  }

  /** A weight initializer as float32 values, in its stored layout. */
  weightValues(linear: GraphLinear): Float32Array {
    return tensorValues(linear.target.path, linear.weight);
  }

  private linearAt(node: onnx.INodeProto, nodeIndex: number): GraphLinear | undefined {
    const op = node.opType;
    if (op !== 'Gemm' && op !== 'MatMul') return undefined;
    const path = pathFromNodeName(node.name ?? '');
    const inputs = node.input ?? [];
    const weight = this.initializers.get(inputs[1] ?? '');
    if (!path || !weight || weight.dataType !== onnx.TensorProto.DataType.FLOAT) return undefined;
    if (this.initializers.has(inputs[0] ?? '')) return undefined; // a constant product, not a layer
    const dims = (weight.dims ?? []).map(toNumber);
    if (dims.length !== 2) return undefined;
    let transB = 0;
    let gemmAlpha = 1;
    if (op === 'Gemm') {
      if (attribute(node, 'transA') !== 0) return undefined; // input transposed: not x·Wᵀ
      transB = attribute(node, 'transB');
      gemmAlpha = attributeFloat(node, 'alpha', 1);
    }
    const outIn = op === 'Gemm' && transB === 1;
    const target: LoraTarget = Object.freeze({
      path,
      inFeatures: outIn ? dims[1] : dims[0],
      outFeatures: outIn ? dims[0] : dims[1],
      op,
      weightLayout: outIn ? 'out-in' : 'in-out',
      nodeName: node.name ?? '',
    });
    return { target, node, nodeIndex, weight, gemmAlpha };
  }
}

function attribute(node: onnx.INodeProto, name: string, fallback = 0): number {
  const found = (node.attribute ?? []).find((a) => a.name === name);
  return found ? toNumber(found.i) : fallback;
}

function attributeFloat(node: onnx.INodeProto, name: string, fallback: number): number {
  const found = (node.attribute ?? []).find((a) => a.name === name);
  return found && found.f !== null && found.f !== undefined ? found.f : fallback;
}

/** A float initializer's values, from raw_data (little-endian) or float_data. */
export function tensorValues(target: string, tensor: onnx.ITensorProto): Float32Array {
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new LoraLayoutError(target, `weight ${tensor.name} is stored outside the model file`);
  }
  const count = (tensor.dims ?? []).map(toNumber).reduce((p, d) => p * d, 1);
  const raw = tensor.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== count * 4)
      throw new LoraLayoutError(
        target,
        `weight ${tensor.name} has ${raw.length} raw bytes for ${count} floats`,
      );
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const values = new Float32Array(count);
    for (let k = 0; k < count; k++) values[k] = view.getFloat32(k * 4, true);
    return values;
  }
  const floats = tensor.floatData ?? [];
  if (floats.length !== count)
    throw new LoraLayoutError(target, `weight ${tensor.name} has ${floats.length} values for ${count}`);
  return Float32Array.from(floats);
}

/** Encodes a (possibly plain-object) model to ONNX bytes. */
export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}
