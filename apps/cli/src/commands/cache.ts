import { Command, Option } from 'commander';
import type { CacheKind } from '../cache-dir';
import { cacheKinds, clearCache, formatBytes } from '../cache-usage';
import { type CliIO, writeLine } from '../cli-context';

/** `tasam cache clear [--kind K]...`: removes cached embeddings, detections, prepared models, LoRAs, text vectors. */
export function cacheCommand(io: CliIO): Command {
  const clear = new Command('clear')
    .description('remove cached data (all kinds unless --kind is given); it is rebuilt on demand')
    .addOption(
      new Option('--kind <kind...>', 'only these kinds (repeat or list several)').choices(cacheKinds),
    )
    .option('--json', 'print what was removed as JSON on stdout')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  $ tasam cache clear',
        '  $ tasam cache clear --kind embeddings loras',
        '  $ TASAM_CACHE=/scratch/tasam tasam cache clear --kind text --json',
      ].join('\n'),
    )
    .action(async (options: { kind?: CacheKind[]; json?: boolean }) => {
      const kinds = options.kind ?? cacheKinds;
      const cleared = await clearCache(kinds, io.env);
      if (options.json) {
        writeLine(io.stdout, JSON.stringify({ cleared }));
        return;
      }
      for (const usage of cleared) {
        const what = usage.files === 0 ? 'was empty' : `${usage.files} files, ${formatBytes(usage.bytes)}`;
        writeLine(io.stdout, `cleared ${usage.kind.padEnd(10)} ${what}  (${usage.path})`);
      }
    });
  return new Command('cache')
    .description('manage the cache (TASAM_CACHE, default ~/.cache/tasam); `tasam doctor` shows its contents')
    .addCommand(clear);
}
