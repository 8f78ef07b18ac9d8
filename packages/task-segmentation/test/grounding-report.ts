import type { Grounding } from '../src';
import type { GroundingCase, GroundingCaseKind } from './grounding-test-set';

export interface CaseResult {
  case: GroundingCase;
  grounding: Grounding;
  exact: boolean;
}

export interface AccuracyReport {
  accuracy: number;
  correct: number;
  total: number;
  byKind: Record<string, { accuracy: number; correct: number; total: number }>;
  failures: CaseResult[];
}

/** Exact means the same set of category names, the same colour and the same grounded flag. */
export function isExact(expected: GroundingCase, grounding: Grounding): boolean {
  const got = grounding.categories.map((c) => c.name).sort();
  const want = [...expected.categories].sort();
  return (
    grounding.grounded === want.length > 0 &&
    got.length === want.length &&
    got.every((name, i) => name === want[i]) &&
    grounding.colour === expected.colour
  );
}

export function accuracyReport(
  cases: readonly GroundingCase[],
  groundings: readonly Grounding[],
): AccuracyReport {
  const results = cases.map((c, i) => ({
    case: c,
    grounding: groundings[i],
    exact: isExact(c, groundings[i]),
  }));
  const byKind: AccuracyReport['byKind'] = {};
  for (const result of results) {
    const kind: GroundingCaseKind = result.case.kind;
    byKind[kind] ??= { accuracy: 0, correct: 0, total: 0 };
    byKind[kind].total++;
    if (result.exact) byKind[kind].correct++;
  }
  for (const entry of Object.values(byKind)) entry.accuracy = entry.correct / entry.total;
  const correct = results.filter((r) => r.exact).length;
  return {
    accuracy: correct / results.length,
    correct,
    total: results.length,
    byKind,
    failures: results.filter((r) => !r.exact),
  };
}

/** A Markdown table of the report, then one line per failure. */
export function formatReport(title: string, report: AccuracyReport): string {
  const row = (name: string, r: { accuracy: number; correct: number; total: number }) =>
    `| ${name} | ${r.correct} / ${r.total} | ${r.accuracy.toFixed(3)} |`;
  const lines = [
    `${title}: exact accuracy ${report.accuracy.toFixed(3)} (${report.correct} / ${report.total})`,
    '',
    '| kind | exact | accuracy |',
    '|---|---|---|',
    ...Object.entries(report.byKind).map(([kind, r]) => row(kind, r)),
    row('**all**', report),
    '',
    ...report.failures.map(
      (f) =>
        `failed: ${JSON.stringify(f.case.text)} expected [${f.case.categories.join(', ')}] ${f.case.colour}, ` +
        `got [${f.grounding.categories.map((c) => c.name).join(', ')}] ${f.grounding.colour}`,
    ),
  ];
  return lines.join('\n');
}
