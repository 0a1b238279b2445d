/**
 * Listing the problems `--fail-on` chose (`skein check`, `skein report`) and
 * the exit code that says there are some.
 */
import { findProblems } from '../report/find-problems.js';
import { formatProblems, type ProblemFormat } from '../report/format-problems.js';
import { parseFailOn } from '../report/problem-kinds.js';
import type { ReportData } from '../report/report-data.js';

/** Exit code when problems were found (the same as `EXIT.error` in main.ts: "something is wrong"). */
export const EXIT_PROBLEMS = 1;

/** Prints the problems of `data` chosen by `failOn`; true when there are any. */
export function reportProblems(data: ReportData, failOn: string, format: ProblemFormat): boolean {
  const kinds = parseFailOn(failOn);
  const problems = findProblems(data, kinds);
  process.stdout.write(formatProblems(problems, kinds, format));
  return problems.length > 0;
}
