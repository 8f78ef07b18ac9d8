import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The COCO directory from `--coco DIR` or TASAM_COCO; exits with a clear message when neither is set. */
export function cocoDirFromArgs(argv: readonly string[]): string {
  const at = argv.indexOf('--coco');
  const dir = at >= 0 ? argv[at + 1] : process.env.TASAM_COCO;
  if (!dir) {
    console.error(
      'coco-data bench: no COCO directory. Pass --coco DIR or set TASAM_COCO to a directory with\n' +
        '  annotations/instances_val2017.json (e.g. TASAM_COCO=/path/to/coco-mini pnpm --filter @tasam/coco-data bench)',
    );
    process.exit(2);
  }
  const file = join(dir, 'annotations', 'instances_val2017.json');
  if (!existsSync(file)) {
    console.error(`coco-data bench: ${file} does not exist (is ${dir} a COCO directory?)`);
    process.exit(2);
  }
  return dir;
}

export function flagValue(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs fn `rounds` times after one warm-up; returns the median seconds. */
export function timeMedian(rounds: number, fn: () => void): number {
  fn();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  return median(times);
}
