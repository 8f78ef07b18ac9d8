#!/usr/bin/env node
// Prints the rows the fuzz tests wrote (test-artifacts/fuzz/*.json) as one Markdown table.
//   node tools/fuzz/fuzz-table.js            print the table; exit 1 if a row has crashes or hangs
//   node tools/fuzz/fuzz-table.js --clean    delete the rows of an earlier run (pnpm fuzz starts with it)
//   node tools/fuzz/fuzz-table.js --status N also exit non-zero when N (turbo's exit code) is

const { existsSync, readdirSync, readFileSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const { FUZZ_ARTIFACTS } = require('./fuzz-harness');

function main(argv) {
  if (argv.includes('--clean')) {
    rmSync(FUZZ_ARTIFACTS, { recursive: true, force: true });
    return 0;
  }
  const statusAt = argv.indexOf('--status');
  const status = statusAt >= 0 ? Number(argv[statusAt + 1]) : 0;
  const files = existsSync(FUZZ_ARTIFACTS)
    ? readdirSync(FUZZ_ARTIFACTS).filter((name) => name.endsWith('.json'))
    : [];
  if (files.length === 0) {
    process.stderr.write(`no fuzz rows in ${FUZZ_ARTIFACTS}; run \`pnpm fuzz\` first\n`);
    return status || 1;
  }
  const rows = files
    .map((name) => JSON.parse(readFileSync(join(FUZZ_ARTIFACTS, name), 'utf8')))
    .sort((a, b) => a.package.localeCompare(b.package) || a.parser.localeCompare(b.parser));
  const out = [];
  out.push(
    '| package | parser | properties | cases | valid | typed errors | crashes | hangs | max ms | peak RSS MB |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  const total = { cases: 0, valid: 0, rejected: 0, crashes: 0, hangs: 0 };
  for (const row of rows) {
    for (const key of Object.keys(total)) total[key] += row[key];
    out.push(
      `| ${row.package} | ${row.parser} | ${row.properties.length} | ${row.cases} | ${row.valid} | ` +
        `${row.rejected} | ${row.crashes} | ${row.hangs} | ${row.maxMs} | ${row.peakRssMb} |`,
    );
  }
  out.push(
    `| **all** | ${rows.length} parsers | | ${total.cases} | ${total.valid} | ${total.rejected} | ` +
      `${total.crashes} | ${total.hangs} | | |`,
  );
  const runs = [...new Set(rows.map((row) => row.runsPerProperty))].join(', ');
  const seeds = [...new Set(rows.map((row) => row.seed))].join(', ');
  out.push(
    '',
    `Runs per property: ${runs}; seed ${seeds}. "typed errors" counts TasamErrors naming the input and rejections ` +
      'a parser returns as a value; a crash is anything else thrown, or a result that fails its check; a hang ' +
      'is a case slower than the hang budget.',
  );
  for (const row of rows) {
    for (const sample of row.samples ?? []) {
      out.push(
        `- ${row.package} / ${row.parser} / ${sample.property}: ${sample.kind}` +
          (sample.message ? `: ${sample.message}` : '') +
          (sample.ms ? ` (${sample.ms} ms)` : ''),
      );
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return status || (total.crashes > 0 || total.hangs > 0 ? 1 : 0);
}

process.exitCode = main(process.argv.slice(2));
