/**
 * Where a LoRA attaches in SAM's mask decoder and how that linear layer is stored in `sam.onnx`.
 *
 * - `Gemm` + `out-in`: the heads (`output_hypernetworks_mlps`, `iou_prediction_head`) export as Gemm transB=1
 *   with named initializers stored [out, in] like PyTorch's `Linear.weight`.
 * - `MatMul` + `in-out`: the two-way transformer's linears export as MatMul against anonymous initializers
 *   (`onnx::MatMul_1926`) stored [in, out]; only the node name carries the module path.
 */
export type LinearOp = 'Gemm' | 'MatMul';
export type WeightLayout = 'out-in' | 'in-out';

export interface LoraTarget {
  /** Module path inside `mask_decoder`, e.g. `output_hypernetworks_mlps.0.layers.1`. */
  readonly path: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly op: LinearOp;
  /** How the weight initializer is stored in the graph. */
  readonly weightLayout: WeightLayout;
  /** The ONNX node computing this linear, e.g. `/output_hypernetworks_mlps.0/layers.1/Gemm`. */
  readonly nodeName: string;
}

/** PyTorch module path → the node name torch.onnx.export gives that linear. */
export function nodeNameForPath(path: string, op: LinearOp): string {
  // Exported scopes join module names with '/', keeping list indices attached ('layers.0').
  const scopes = path.replace(/\.(?!\d+(?:\.|$))/g, '/');
  return `/${scopes}/${op}`;
}

/** The inverse of nodeNameForPath: `/transformer/layers.0/self_attn/q_proj/MatMul` → `transformer.layers.0.self_attn.q_proj`. */
export function pathFromNodeName(nodeName: string): string | undefined {
  const match = /^\/(.+)\/(?:Gemm|MatMul)(?:_\d+)?$/.exec(nodeName);
  return match ? match[1].split('/').join('.') : undefined;
}

function headTarget(path: string, inFeatures: number, outFeatures: number): LoraTarget {
  return Object.freeze({
    path,
    inFeatures,
    outFeatures,
    op: 'Gemm',
    weightLayout: 'out-in',
    nodeName: nodeNameForPath(path, 'Gemm'),
  });
}

const HEAD_DIM = 256;
const HYPERNETWORK_OUT = 32; // transformer_dim // 8: the channels of the upscaled image embedding
const MASK_TOKENS = 4;

/**
 * The default placement: the 15 linear layers of the decoder's output heads (4 hypernetwork MLPs of 3 layers
 * each, then the IoU head). Nothing upstream of them depends on the task, so the trunk runs once per prompt.
 */
export const HEAD_TARGETS: readonly LoraTarget[] = Object.freeze([
  ...[0, 1, 2, 3].flatMap((mlp) => [
    headTarget(`output_hypernetworks_mlps.${mlp}.layers.0`, HEAD_DIM, HEAD_DIM),
    headTarget(`output_hypernetworks_mlps.${mlp}.layers.1`, HEAD_DIM, HEAD_DIM),
    headTarget(`output_hypernetworks_mlps.${mlp}.layers.2`, HEAD_DIM, HYPERNETWORK_OUT),
  ]),
  headTarget('iou_prediction_head.layers.0', HEAD_DIM, HEAD_DIM),
  headTarget('iou_prediction_head.layers.1', HEAD_DIM, HEAD_DIM),
  headTarget('iou_prediction_head.layers.2', HEAD_DIM, MASK_TOKENS),
]);

/**
 * The attention projections of the two-way transformer, as module paths. Their shapes and anonymous
 * initializers are found in the graph (`discoverTargets(graph, isAttentionProjection)`), never hard-coded.
 */
export function isAttentionProjection(path: string): boolean {
  return /^transformer\.(?:layers\.\d+\.(?:self_attn|cross_attn_token_to_image|cross_attn_image_to_token)|final_attn_token_to_image)\.(?:q|k|v|out)_proj$/.test(
    path,
  );
}

/** True for the default head placement's module paths. */
export function isHeadLayer(path: string): boolean {
  return /^(?:output_hypernetworks_mlps\.\d+|iou_prediction_head)\.layers\.\d+$/.test(path);
}
