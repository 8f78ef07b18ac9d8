import {
  HEAD_TARGETS,
  isAttentionProjection,
  isHeadLayer,
  nodeNameForPath,
  pathFromNodeName,
} from './lora-target';

describe('HEAD_TARGETS', () => {
  it('lists the 15 head linears with their features and Gemm [out,in] layout', () => {
    expect(HEAD_TARGETS).toHaveLength(15);
    expect(HEAD_TARGETS.map((t) => t.path)).toEqual([
      'output_hypernetworks_mlps.0.layers.0',
      'output_hypernetworks_mlps.0.layers.1',
      'output_hypernetworks_mlps.0.layers.2',
      'output_hypernetworks_mlps.1.layers.0',
      'output_hypernetworks_mlps.1.layers.1',
      'output_hypernetworks_mlps.1.layers.2',
      'output_hypernetworks_mlps.2.layers.0',
      'output_hypernetworks_mlps.2.layers.1',
      'output_hypernetworks_mlps.2.layers.2',
      'output_hypernetworks_mlps.3.layers.0',
      'output_hypernetworks_mlps.3.layers.1',
      'output_hypernetworks_mlps.3.layers.2',
      'iou_prediction_head.layers.0',
      'iou_prediction_head.layers.1',
      'iou_prediction_head.layers.2',
    ]);
    expect(HEAD_TARGETS[2]).toEqual({
      path: 'output_hypernetworks_mlps.0.layers.2',
      inFeatures: 256,
      outFeatures: 32,
      op: 'Gemm',
      weightLayout: 'out-in',
      nodeName: '/output_hypernetworks_mlps.0/layers.2/Gemm',
    });
    expect(HEAD_TARGETS[14]).toMatchObject({ inFeatures: 256, outFeatures: 4 });
    expect(Object.isFrozen(HEAD_TARGETS)).toBe(true);
    expect(HEAD_TARGETS.every((t) => isHeadLayer(t.path))).toBe(true);
  });
});

describe('module paths and node names', () => {
  it('maps both ways, keeping list indices attached to their module', () => {
    expect(nodeNameForPath('transformer.layers.0.self_attn.q_proj', 'MatMul')).toBe(
      '/transformer/layers.0/self_attn/q_proj/MatMul',
    );
    expect(nodeNameForPath('iou_prediction_head.layers.12', 'Gemm')).toBe(
      '/iou_prediction_head/layers.12/Gemm',
    );
    expect(pathFromNodeName('/transformer/final_attn_token_to_image/v_proj/MatMul')).toBe(
      'transformer.final_attn_token_to_image.v_proj',
    );
    expect(pathFromNodeName('/output_hypernetworks_mlps.3/layers.1/Gemm')).toBe(
      'output_hypernetworks_mlps.3.layers.1',
    );
    expect(pathFromNodeName('/MatMul')).toBeUndefined();
    expect(pathFromNodeName('/transformer/layers.0/self_attn/Softmax')).toBeUndefined();
  });

  it('recognises attention projections and rejects other linears', () => {
    expect(isAttentionProjection('transformer.layers.1.cross_attn_image_to_token.out_proj')).toBe(true);
    expect(isAttentionProjection('transformer.final_attn_token_to_image.k_proj')).toBe(true);
    expect(isAttentionProjection('transformer.layers.0.mlp.lin1')).toBe(false);
    expect(isAttentionProjection('output_hypernetworks_mlps.0.layers.0')).toBe(false);
    expect(isHeadLayer('transformer.layers.0.self_attn.q_proj')).toBe(false);
  });
});
