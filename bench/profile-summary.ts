/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): the functions with the
 * most self time, and the most inclusive time, with their share.
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof dist/bench/run-bench.js --pages 4000 --runs 1 --modes process
 *   node dist/bench/profile-summary.js /tmp/prof/CPU.<…>.cpuprofile [top=30]
 *
 * The bench, its crawl child and the site server each write a profile (the
 * children inherit the bench's node flags); the crawl child's is the one with
 * crawler.js in it. Parser worker processes start with their own flags
 * (worker-slot.ts) and are not profiled this way.
 * Samples are wall-clock: time a busy machine spends preempting the process
 * inside a system call shows up as that call's self time.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 30);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const label = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url.replace(/^.*node_modules\//, '').replace(/^.*\/dist\//, '');
  return `${functionName || '(anonymous)'} ${where}${where ? `:${lineNumber + 1}` : ''}`;
};

const timeById = new Map<number, number>();
profile.samples.forEach((id, i) => timeById.set(id, (timeById.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
let totalUs = 0;
for (const [id, us] of timeById) {
  totalUs += us;
  const node = byId.get(id)!;
  self.set(label(node), (self.get(label(node)) ?? 0) + us);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const key = label(byId.get(cur)!);
    if (seen.has(key)) continue;
    seen.add(key);
    inclusive.set(key, (inclusive.get(key) ?? 0) + us);
  }
}
const print = (title: string, map: Map<string, number>): void => {
  console.log(`\n${title} (of ${(totalUs / 1e6).toFixed(1)} s sampled)`);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`${(us / 1000).toFixed(0).padStart(8)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)}%  ${key}`);
  }
};
print('self time', self);
print('inclusive time', inclusive);
