// Embeds the default phrasing table with the default text encoder (USE-lite, offline) and writes data/
// grounding-vectors.{bin,json}, which TaskGrounder.create uses instead of embedding them on every first run.
// Run after changing the phrasing table or the encoder: pnpm --filter @tasam/task-segmentation grounding-vectors
import { join } from 'node:path';
import { writeFileAtomic } from '@tasam/atomic-file';
import { createTextEncoder } from '@tasam/text-encoder';
import { buildPhrasingTable } from '../grounding/phrasing-table';
import {
  encodeGroundingVectors,
  GROUNDING_VECTORS_NAME,
  groundingVectorsDir,
} from '../grounding/precomputed-vectors';
import { phrasingTexts } from '../grounding/task-grounder';

async function main(): Promise<void> {
  const encoder = await createTextEncoder({ backend: 'use-lite' });
  try {
    const texts = phrasingTexts(buildPhrasingTable());
    const { bin, manifest } = encodeGroundingVectors(encoder.id, texts, await encoder.embed(texts));
    const dir = groundingVectorsDir();
    await writeFileAtomic(join(dir, `${GROUNDING_VECTORS_NAME}.bin`), bin);
    await writeFileAtomic(
      join(dir, `${GROUNDING_VECTORS_NAME}.json`),
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
    console.log(`${manifest.count} vectors of ${manifest.dim} (${encoder.id}) → ${dir}`);
  } finally {
    await encoder.dispose();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
