// Child process of the memory benchmark: loads one instances file one way and prints its peak RSS as JSON.
import { readFileSync } from 'node:fs';
import { CocoDataset } from '../src';

async function main(): Promise<void> {
  const [file, mode] = process.argv.slice(2);
  const start = process.hrtime.bigint();
  const dataset =
    mode === 'json-parse'
      ? CocoDataset.fromJson(JSON.parse(readFileSync(file, 'utf8')), file)
      : await CocoDataset.fromFile(file);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  // What stays: the heap after a full collection (the child runs with --expose-gc).
  (globalThis as { gc?: () => void }).gc?.();
  const usage = process.memoryUsage();
  console.log(
    JSON.stringify({
      mode,
      seconds,
      images: dataset.images.length,
      annotations: dataset.annotations.length,
      peakRssBytes,
      rssAfterBytes: usage.rss,
      heapUsedAfterBytes: usage.heapUsed,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
