#!/usr/bin/env node
/**
 * Re-encodes a trained hypernetwork for shipping: `node dist/bin/export-checkpoint.js IN OUT [--f16]
 * [--meta key=value ...]`. F16 halves the file; the config travels in the metadata unchanged and extra
 * metadata (e.g. the training command) is added; a task scorer is kept. Written to a temp file, then renamed.
 */
import { parseArgs } from 'node:util';
import { loadHypernet, saveHypernet } from '../checkpoint';
import { useBackend } from '../tf';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { f16: { type: 'boolean', default: false }, meta: { type: 'string', multiple: true } },
  });
  const [input, output] = positionals;
  if (!input || !output) throw new Error('usage: export-checkpoint IN OUT [--f16] [--meta key=value ...]');
  await useBackend();
  const { net, metadata, scorer } = await loadHypernet(input);
  const extra: Record<string, string> = {};
  for (const pair of values.meta ?? []) {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`--meta ${pair}: expected key=value`);
    extra[pair.slice(0, at)] = pair.slice(at + 1);
  }
  await saveHypernet(output, net, {
    dtype: values.f16 ? 'F16' : 'F32',
    metadata: { ...metadata, ...extra },
    scorer,
  });
  process.stderr.write(`wrote ${output}\n`);
}

main().catch((error) => {
  process.stderr.write(`export-checkpoint: ${(error as Error).message}\n`);
  process.exit(1);
});
