import type { onnx } from 'onnx-proto';
import { type DecoderGraph, encodeModel } from './decoder-graph';
import { mergeIntoWeight } from './lora-math';
import type { LoraWeights } from './lora-weights';
import { float32Bytes } from './safetensors';

/**
 * Bakes one adapter into the model's weights: W' = W + scaling·B·A in each target's stored layout ([out,in]
 * for Gemm transB=1, [in,out] for MatMul). Returns new ONNX bytes; the graph's structure and inputs are
 * unchanged, so the merged model runs exactly like the base one. A weight shared with other nodes is copied
 * first so only the target changes.
 */
export function mergeLora(graph: DecoderGraph, weights: LoraWeights): Uint8Array {
  const base = graph.graph;
  const replaced = new Map<string, onnx.ITensorProto>();
  const added: onnx.ITensorProto[] = [];
  const nodes = [...(base.node ?? [])];
  const uses = new Map<string, number>();
  for (const node of nodes) for (const input of node.input ?? []) uses.set(input, (uses.get(input) ?? 0) + 1);
  weights.checkAgainst(
    weights.paths.map((path) => graph.linear(path).target),
    graph.source,
  );
  for (const [path, layer] of weights.layers) {
    const linear = graph.linear(path);
    // Gemm computes alpha·x·Wᵀ: divide so the merged layer adds exactly scaling·B·A·x.
    const merged = mergeIntoWeight(
      path,
      graph.weightValues(linear),
      linear.target.weightLayout,
      layer,
      weights.scaling / linear.gemmAlpha,
    );
    const name = linear.weight.name ?? '';
    const tensor: onnx.ITensorProto = {
      name,
      dims: linear.weight.dims,
      dataType: linear.weight.dataType,
      rawData: float32Bytes(merged),
    };
    if ((uses.get(name) ?? 0) > 1) {
      tensor.name = `${name}/lora_merged/${path}`;
      added.push(tensor);
      const inputs = [...(linear.node.input ?? [])];
      inputs[1] = tensor.name;
      nodes[linear.nodeIndex] = { ...linear.node, input: inputs };
    } else {
      replaced.set(name, tensor);
    }
  }
  const initializer = [...(base.initializer ?? []).map((t) => replaced.get(t.name ?? '') ?? t), ...added];
  return encodeModel({ ...graph.model, graph: { ...base, node: nodes, initializer } });
}
