/**
 * `--fail-on`, `--format`: what `skein check` and `skein report` fail on, and
 * how they list it (src/report/problem-kinds.ts, format-problems.ts). Listing
 * them is report-problems.ts, so declaring the flags loads no report code.
 */
import { Option, type Command } from 'commander';
import { PROBLEM_FORMATS } from '../report/format-problems.js';
import { PROBLEM_KINDS } from '../report/problem-kinds.js';

/** The `--fail-on` and `--format` options `check` and `report` share. */
export function addFailOnFlags(command: Command, failOnDefault?: string): Command {
  const failOn = new Option('--fail-on <list>', `exit 1 when any of these problems is found, and list them on stdout: ${Object.keys(PROBLEM_KINDS).join(', ')}, or all`);
  if (failOnDefault) failOn.default(failOnDefault);
  return command
    .addOption(failOn)
    .addOption(new Option('--format <format>', 'how the problems are listed: text (grouped by page), json, or github (GitHub Actions annotations)').choices(PROBLEM_FORMATS).default('text'));
}
