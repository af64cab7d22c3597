import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

// `node dist/bench/profile-summary.js <file.cpuprofile> [--top 30]`: where a V8 CPU profile (from
// `npm run bench -- --cpu-prof <dir>`) spent its time, by function and by package or module, as
// self time (the flat view of a flame graph) and as inclusive time for our own functions.

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

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '30' } } });
const top = Number(values.top);

function where(url: string): string {
  if (url === '') return '(native / V8)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return url;
  const ours = url.indexOf('/dist/');
  return ours >= 0 ? url.slice(ours + '/dist/'.length) : basename(url);
}

function print(title: string, totals: Map<string, number>, all: number): void {
  process.stdout.write(`\n${title}\n`);
  const sorted = [...totals].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, micros] of sorted) {
    process.stdout.write(`${((micros / all) * 100).toFixed(1).padStart(5)} %  ${(micros / 1000).toFixed(0).padStart(7)} ms  ${name}\n`);
  }
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  let all = 0;
  let idle = 0;
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, micros] of self) {
    const node = byId.get(id)!;
    const frame = node.callFrame;
    all += micros;
    if (frame.functionName === '(idle)') idle += micros;
    const name = `${frame.functionName || '(anonymous)'}  ${where(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
    byPlace.set(where(frame.url), (byPlace.get(where(frame.url)) ?? 0) + micros);
    // Inclusive time of our own functions: every hookd frame on the stack of the sample, once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      if (!f.url.includes('/dist/src/')) continue;
      const key = `${f.functionName || '(anonymous)'}  ${where(f.url)}:${f.lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + micros);
    }
  }
  process.stdout.write(`${file}: ${(all / 1e6).toFixed(1)} s sampled, ${((idle / all) * 100).toFixed(0)} % idle\n`);
  print('self time by package or module', byPlace, all);
  print('self time by function', byFunction, all);
  print('inclusive time of hookd functions', inclusive, all);
}
