// Where a V8 CPU profile's time went: the functions with the most self time, as a share of
// all samples (idle and GC included, as `node --cpu-prof` records them), with the file and
// line each is defined at. Usage: node dist/scripts/bench/profile-top.js FILE.cpuprofile [N]

import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

function main(): void {
  const [file, topArg] = process.argv.slice(2);
  if (!file) throw new Error('usage: profile-top FILE.cpuprofile [N]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const frameOf = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  // Samples per function (name + place), summed over every node that is that function.
  const self = new Map<string, number>();
  for (const id of profile.samples) {
    const f = frameOf.get(id)!;
    const place = f.url
      ? ` ${f.url.replace(/^.*\/node_modules\//, '').replace(/^file:\/\/.*\/dist\//, '')}:${f.lineNumber + 1}`
      : '';
    const key = `${f.functionName || '(anonymous)'}${place}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  console.log(`${total} samples`);
  console.log('| self | function |');
  console.log('|---:|---|');
  for (const [key, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg ?? 30))) {
    console.log(`| ${((n / total) * 100).toFixed(1)} % | ${key} |`);
  }
}

main();
