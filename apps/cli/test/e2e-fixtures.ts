import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HEAD_TARGETS } from '@tasam/lora';
import { createTextEncoder } from '@tasam/text-encoder';

/** The built CLI the e2e tests run as a subprocess. */
export const bin = join(__dirname, '..', 'dist', 'bin.js');
/** The committed sample images. */
export const examples = resolve(__dirname, '..', '..', '..', 'examples');

const EXAMPLE_FILES: Record<string, string> = {
  'elephants.jpg': '000000286994.jpg',
  'suitcases.jpg': '000000475678.jpg',
  'cats.jpg': '000000555705.jpg',
};

/**
 * A COCO directory under `root` from the committed sample images and their annotations
 * (fixtures/coco-examples): each split gets the same annotations file and copies of `images`
 * under their COCO file names. Returns its path.
 */
export function exampleCoco(
  root: string,
  splits: readonly string[] = ['val2017'],
  images: readonly string[] = Object.keys(EXAMPLE_FILES),
): string {
  const coco = join(root, 'coco');
  mkdirSync(join(coco, 'annotations'), { recursive: true });
  const annotations = join(__dirname, 'fixtures', 'coco-examples', 'annotations', 'instances_val2017.json');
  for (const split of splits) {
    mkdirSync(join(coco, split), { recursive: true });
    copyFileSync(annotations, join(coco, 'annotations', `instances_${split}.json`));
    for (const name of images) copyFileSync(join(examples, name), join(coco, split, EXAMPLE_FILES[name]));
  }
  return coco;
}

/** Writes an untrained hypernetwork for the shipped text encoder: every B is zero, so tasam's heads are SAM's. */
export async function untrainedCheckpoint(path: string): Promise<void> {
  const hypernet = await import('@tasam/hypernet');
  await hypernet.useBackend();
  const encoder = await createTextEncoder({ backend: 'use-lite' });
  const config = hypernet.resolveConfig({
    textEncoderId: encoder.id,
    textDim: encoder.dim,
    targets: [...HEAD_TARGETS],
  });
  await hypernet.saveHypernet(path, hypernet.Hypernetwork.initialise(config, 0));
  await encoder.dispose();
}
