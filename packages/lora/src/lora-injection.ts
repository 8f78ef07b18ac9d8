import type { onnx } from 'onnx-proto';
import { type DecoderGraph, encodeModel, LORA_A_INPUT, LORA_B_INPUT } from './decoder-graph';
import { LoraShapeError } from './errors/lora-shape-error';
import { LoraTargetNotFoundError } from './errors/lora-target-not-found-error';
import { HEAD_TARGETS, type LoraTarget } from './lora-target';
import type { LoraWeights } from './lora-weights';

/** The symbolic dimension of every LoRA input: one injected model serves adapters of any rank. */
export const LORA_RANK_DIM = 'lora_rank';

const FLOAT = 1; // onnx.TensorProto.DataType.FLOAT
const INT = 2; // onnx.AttributeProto.AttributeType.INT
const INTS = 7; // onnx.AttributeProto.AttributeType.INTS

export interface InjectedModel {
  /** The ONNX bytes with the added inputs. */
  model: Uint8Array;
  /** The targets in input order; every one needs both feeds (see loraFeeds). */
  targets: LoraTarget[];
}

/**
 * Adds a LoRA branch to each target: required graph inputs `lora_A.<path>` [lora_rank, in] and
 * `lora_B.<path>` [out, lora_rank], and y = base(x) + (x·Aᵀ)·Bᵀ after the target's node. The scaling is
 * folded into the B feed (loraFeeds does it), so one session serves every adapter and rank. The inputs get
 * no initializer: onnxruntime would silently prefer a default over the feed.
 */
export function injectLora(
  graph: DecoderGraph,
  targets: readonly LoraTarget[] = HEAD_TARGETS,
): InjectedModel {
  const resolved = targets.map((t) => graph.linear(t));
  const base = graph.graph;
  const byNode = new Map(resolved.map((l) => [l.nodeIndex, l]));
  const taken = new Set<string>([
    ...(base.input ?? []).map((v) => v.name ?? ''),
    ...(base.node ?? []).flatMap((n) => [...(n.output ?? []), n.name ?? '']),
    ...graph.initializers.keys(),
  ]);
  const unique = (name: string): string => {
    let candidate = name;
    for (let k = 1; taken.has(candidate); k++) candidate = `${name}_${k}`;
    taken.add(candidate);
    return candidate;
  };
  const inputs: onnx.IValueInfoProto[] = [];
  const nodes: onnx.INodeProto[] = [];
  (base.node ?? []).forEach((node, index) => {
    const linear = byNode.get(index);
    if (!linear) {
      nodes.push(node);
      return;
    }
    const { path, inFeatures, outFeatures, op } = linear.target;
    const x = (node.input ?? [])[0];
    const y = (node.output ?? [])[0];
    const aName = `${LORA_A_INPUT}${path}`;
    const bName = `${LORA_B_INPUT}${path}`;
    if (taken.has(aName) || taken.has(bName))
      throw new LoraShapeError(path, `${graph.source} already has LoRA inputs for it`);
    taken.add(aName);
    taken.add(bName);
    inputs.push(
      floatInput(aName, [LORA_RANK_DIM, inFeatures]),
      floatInput(bName, [outFeatures, LORA_RANK_DIM]),
    );
    // The original node now writes a renamed tensor; the LoRA branch writes `y`, so consumers need no rewiring.
    const baseOut = unique(`${y}/base`);
    nodes.push({ ...node, output: [baseOut, ...(node.output ?? []).slice(1)] });
    const scope = `/lora/${path}`;
    const down = unique(`${scope}/down_output_0`);
    if (op === 'Gemm') {
      // Gemm takes 2-D x; transB=1 reads A [r,in] and B [out,r] as stored; C = base output fuses the add.
      nodes.push(
        {
          name: unique(`${scope}/down/Gemm`),
          opType: 'Gemm',
          input: [x, aName],
          output: [down],
          attribute: [intAttr('transB', 1)],
        },
        {
          name: unique(`${scope}/up/Gemm`),
          opType: 'Gemm',
          input: [down, bName, baseOut],
          output: [y],
          attribute: [intAttr('transB', 1)],
        },
      );
    } else {
      // MatMul broadcasts over leading dims of x ([1, tokens, in]); transpose the small LoRA factors instead.
      const aT = unique(`${scope}/A_transposed`);
      const bT = unique(`${scope}/B_transposed`);
      const up = unique(`${scope}/up_output_0`);
      nodes.push(
        {
          name: unique(`${scope}/A/Transpose`),
          opType: 'Transpose',
          input: [aName],
          output: [aT],
          attribute: [intsAttr('perm', [1, 0])],
        },
        { name: unique(`${scope}/down/MatMul`), opType: 'MatMul', input: [x, aT], output: [down] },
        {
          name: unique(`${scope}/B/Transpose`),
          opType: 'Transpose',
          input: [bName],
          output: [bT],
          attribute: [intsAttr('perm', [1, 0])],
        },
        { name: unique(`${scope}/up/MatMul`), opType: 'MatMul', input: [down, bT], output: [up] },
        { name: unique(`${scope}/Add`), opType: 'Add', input: [baseOut, up], output: [y] },
      );
    }
  });
  const model: onnx.IModelProto = {
    ...graph.model,
    graph: { ...base, node: nodes, input: [...(base.input ?? []), ...inputs] },
  };
  return { model: encodeModel(model), targets: resolved.map((l) => l.target) };
}

/** A float32 tensor with explicit dims, ready for `new ort.Tensor('float32', data, dims)`. */
export interface Float32Tensor {
  data: Float32Array;
  dims: number[];
}

/**
 * The feeds a LoRA-injected model needs: `lora_A.<path>` = A and `lora_B.<path>` = scaling·B for every
 * injected target. Targets the adapter does not cover get zeros (no change). A layer of the adapter that the
 * model was not injected with is an error: silently dropping it would run a different adapter.
 */
export function loraFeeds(
  weights: LoraWeights,
  targets: readonly LoraTarget[],
): Record<string, Float32Tensor> {
  const byPath = new Map(targets.map((t) => [t.path, t]));
  for (const path of weights.layers.keys()) {
    if (!byPath.has(path)) throw new LoraTargetNotFoundError(path, 'the LoRA-injected model');
  }
  weights.checkAgainst(targets, 'the LoRA-injected model');
  const feeds: Record<string, Float32Tensor> = {};
  const r = weights.rank;
  for (const t of targets) {
    const layer = weights.layers.get(t.path);
    const b = new Float32Array(t.outFeatures * r);
    if (layer) for (let k = 0; k < b.length; k++) b[k] = weights.scaling * layer.b[k];
    feeds[`${LORA_A_INPUT}${t.path}`] = {
      data: layer ? layer.a : new Float32Array(r * t.inFeatures),
      dims: [r, t.inFeatures],
    };
    feeds[`${LORA_B_INPUT}${t.path}`] = { data: b, dims: [t.outFeatures, r] };
  }
  return feeds;
}

function floatInput(name: string, dims: (number | string)[]): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}

function intAttr(name: string, value: number): onnx.IAttributeProto {
  return { name, type: INT, i: value };
}

function intsAttr(name: string, values: number[]): onnx.IAttributeProto {
  return { name, type: INTS, ints: values };
}
