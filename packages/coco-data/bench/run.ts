// pnpm --filter @tasam/coco-data bench [-- --coco DIR] [--only mask|memory] [--rounds N] [--big-mb MB] [--big FILE]
import { flagValue } from './bench-args';
import { runMaskBench } from './mask-bench';
import { runMemoryBench } from './memory-bench';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const only = flagValue(argv, '--only');
  if (only !== 'memory') await runMaskBench(argv);
  if (only !== 'mask') await runMemoryBench(argv);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
