// Preloaded (node --require) into each `tasam coco-eval` run of the pycocotools bench: at exit, writes the
// process's CPU time and peak RSS (all threads) to the file named by TASAM_BENCH_RUSAGE_FILE.
import { writeFileSync } from 'node:fs';

const target = process.env.TASAM_BENCH_RUSAGE_FILE;
if (target) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      target,
      JSON.stringify({
        cpuS: (usage.userCPUTime + usage.systemCPUTime) / 1e6,
        peakRssMb: usage.maxRSS / 1024,
      }),
    );
  });
}
