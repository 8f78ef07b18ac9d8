import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DetectorModelChecksumError, DetectorModelLoadError, DetectorModelReadError } from '../errors';
import { CENTERNET_SHA256 } from './centernet-constants';
import { defaultModelDir, readModelArtifacts, sha256Hex } from './model-files';

let scratch: string;

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'tasam-detector-'));
});

afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('defaultModelDir', () => {
  it('is the package’s models/ directory, holding the vendored files with the recorded hashes', async () => {
    const dir = defaultModelDir();
    expect(dir).toMatch(/detector[/\\]models$/);
    for (const [file, hash] of Object.entries(CENTERNET_SHA256)) {
      expect(sha256Hex(await readFile(join(dir, file)))).toBe(hash);
    }
  });
});

describe('readModelArtifacts', () => {
  it('reads the graph and its weights, verified', async () => {
    const artifacts = await readModelArtifacts(defaultModelDir(), true);
    expect(artifacts.weightSpecs?.length).toBeGreaterThan(0);
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBe(4030290);
    expect(artifacts.signature).toBeDefined();
  });

  it('names the path of a missing graph file', async () => {
    const error = await readModelArtifacts(scratch, true).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DetectorModelReadError);
    expect((error as DetectorModelReadError).path).toBe(join(scratch, 'centernet.json'));
    expect((error as Error).message).toContain(join(scratch, 'centernet.json'));
  });

  it('names the path of a missing weights file', async () => {
    await copyFile(join(defaultModelDir(), 'centernet.json'), join(scratch, 'centernet.json'));
    await expect(readModelArtifacts(scratch, true)).rejects.toMatchObject({
      code: 'DETECTOR_MODEL_READ',
      path: join(scratch, 'centernet.bin'),
    });
  });

  it('rejects a graph file that is not the vendored one, with both hashes', async () => {
    await writeFile(join(scratch, 'centernet.json'), '{"modelTopology": {}, "weightsManifest": []}');
    const error = (await readModelArtifacts(scratch, true).catch(
      (e: unknown) => e,
    )) as DetectorModelChecksumError;
    expect(error).toBeInstanceOf(DetectorModelChecksumError);
    expect(error.expected).toBe(CENTERNET_SHA256['centernet.json']);
    expect(error.actual).toBe(sha256Hex(Buffer.from('{"modelTopology": {}, "weightsManifest": []}')));
  });

  it('without verification, still rejects what is not a tfjs graph model', async () => {
    await writeFile(join(scratch, 'centernet.json'), '{not json');
    await expect(readModelArtifacts(scratch, false)).rejects.toThrow(DetectorModelLoadError);
    await writeFile(join(scratch, 'centernet.json'), '{"format": "layers-model"}');
    await expect(readModelArtifacts(scratch, false)).rejects.toThrow(/not a tfjs graph model/);
  });
});
