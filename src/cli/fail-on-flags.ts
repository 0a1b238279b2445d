/**
 * `--fail-on`, `--format`: what `skein check` and `skein report` fail on, and
 * how they list it (src/report/find-problems.ts, format-problems.ts).
 */
import { Option, type Command } from 'commander';
import { PROBLEM_KINDS, findProblems, parseFailOn } from '../report/find-problems.js';
import { PROBLEM_FORMATS, formatProblems, type ProblemFormat } from '../report/format-problems.js';
import type { ReportData } from '../report/report-data.js';

/** Exit code when problems were found (the same as `EXIT.error` in main.ts: "something is wrong"). */
export const EXIT_PROBLEMS = 1;

/** The `--fail-on` and `--format` options `check` and `report` share. */
export function addFailOnFlags(command: Command, failOnDefault?: string): Command {
  const failOn = new Option('--fail-on <list>', `exit 1 when any of these problems is found, and list them on stdout: ${Object.keys(PROBLEM_KINDS).join(', ')}, or all`);
  if (failOnDefault) failOn.default(failOnDefault);
  return command
    .addOption(failOn)
    .addOption(new Option('--format <format>', 'how the problems are listed: text (grouped by page), json, or github (GitHub Actions annotations)').choices(PROBLEM_FORMATS).default('text'));
}

/** Prints the problems of `data` chosen by `failOn`; true when there are any. */
export function reportProblems(data: ReportData, failOn: string, format: ProblemFormat): boolean {
  const kinds = parseFailOn(failOn);
  const problems = findProblems(data, kinds);
  process.stdout.write(formatProblems(problems, kinds, format));
  return problems.length > 0;
}
