// Peak memory of loading a big instances file (~450 MB by default): CocoDataset.fromFile (streamed) against
// the plain JSON.parse(readFileSync()) route, each in a fresh process so peak RSS is its own.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cocoDirFromArgs, flagValue } from './bench-args';
import { buildBigInstances } from './build-big-instances';

export async function runMemoryBench(argv: readonly string[]): Promise<void> {
  const coco = cocoDirFromArgs(argv);
  const megabytes = Number(flagValue(argv, '--big-mb') ?? 450);
  const file =
    flagValue(argv, '--big') ?? join(tmpdir(), 'tasam-coco-big', `instances_big_${megabytes}mb.json`);
  await buildBigInstances(coco, file, megabytes * 1e6);
  const size = statSync(file).size;
  console.log(`\ncoco-data memory benchmark: ${file} (${(size / 1e6).toFixed(0)} MB)`);
  for (const mode of ['stream', 'json-parse']) {
    let line: string;
    try {
      line = execFileSync(
        process.execPath,
        ['--max-old-space-size=8192', '--expose-gc', join(__dirname, 'load-instances.js'), file, mode],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    } catch (error) {
      console.log(
        `${mode.padEnd(30)} failed: ${(error as { stderr?: string }).stderr?.split('\n')[0] ?? error}`,
      );
      continue;
    }
    const r = JSON.parse(line.trim().split('\n').pop()!);
    const label = mode === 'stream' ? 'CocoDataset.fromFile (stream)' : 'JSON.parse(readFileSync)';
    console.log(
      `${label.padEnd(30)} ${r.seconds.toFixed(1).padStart(6)} s  peak RSS ${(r.peakRssBytes / 1e6).toFixed(0).padStart(5)} MB` +
        ` = ${(r.peakRssBytes / size).toFixed(2)} x file  (retained after GC: heap ${(r.heapUsedAfterBytes / 1e6).toFixed(0)} MB,` +
        ` RSS ${(r.rssAfterBytes / 1e6).toFixed(0)} MB; ${r.images} images, ${r.annotations} annotations)`,
    );
  }
}
