// The layout's rules (DESIGN.md §1, README "How it fits together"), read from the sources'
// import statements, so a change that breaks one fails here rather than in a reviewer's head:
// - a demo imports the platform and the kit, never another demo;
// - server/ and client/ import no demo, except the one registry;
// - browser code (client/, demos/*/browser/) imports, from outside the kit, only its own
//   demo's schemas (messages.ts) and README, and the shared schema modules they build on;
// - schema modules import nothing but other schema modules and TypeBox;
// - engine/ imports nothing of the application, and the application nothing of engine/;
// - the application's import graph has no cycles.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const SCHEMA_MODULES = new Set([
  'server/signaling/messages.ts',
  'server/signaling/filter-messages.ts',
  'server/signaling/pipeline-messages.ts',
]);
const REGISTRY = 'server/demo-registry.ts';

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return name === 'assets' ? [] : sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** The project files a source imports (relative specifiers, resolved), and its packages. */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*'([^']+)'|(?:^|\n)\s*import\s*'([^']+)'/g),
  ].map((m) => (m[1] ?? m[2])!);
  const files: string[] = [];
  const packages: string[] = [];
  for (const spec of specifiers) {
    if (!spec.startsWith('.')) {
      packages.push(spec);
      continue;
    }
    const base = relative(ROOT, resolve(ROOT, dirname(file), spec));
    const candidates = [base, `${base}.ts`, join(base, 'index.ts')];
    const found = candidates.find((c) => {
      try {
        return statSync(join(ROOT, c)).isFile();
      } catch {
        return false;
      }
    });
    if (!found) throw new Error(`${file} imports ${spec}, which does not resolve`);
    files.push(found);
  }
  return { files, packages };
}

const demoOf = (file: string): string | undefined => /^demos\/([^/]+)\//.exec(file)?.[1];
const isBrowser = (file: string): boolean => file.startsWith('client/') || /^demos\/[^/]+\/browser\//.test(file);
const isSchema = (file: string): boolean => SCHEMA_MODULES.has(file) || /^demos\/[^/]+\/messages\.ts$/.test(file);

const app = [...sources('server'), ...sources('client'), ...sources('demos')];
const graph = new Map(app.map((file) => [file, importsOf(file)]));

describe('the layout', () => {
  it('has the demos in their folders, each with its page, server side and README', () => {
    const demos = readdirSync(join(ROOT, 'demos'));
    expect(demos.length).toBeGreaterThanOrEqual(10);
    const missing = demos.flatMap((demo) =>
      ['README.md', 'index.html', 'browser/page.ts', 'server/index.ts']
        .map((part) => `demos/${demo}/${part}`)
        .filter((path) => !existsSync(join(ROOT, path))),
    );
    expect(missing).toEqual([]);
  });

  it('keeps each demo to itself: no demo imports another', () => {
    const crossings = [...graph].flatMap(([file, { files }]) =>
      files.filter((to) => demoOf(file) && demoOf(to) && demoOf(to) !== demoOf(file)).map((to) => `${file} → ${to}`),
    );
    expect(crossings).toEqual([]);
  });

  it('lets the platform and the kit import demos only through the registry', () => {
    const crossings = [...graph].flatMap(([file, { files }]) =>
      demoOf(file) || file === REGISTRY ? [] : files.filter((to) => demoOf(to)).map((to) => `${file} → ${to}`),
    );
    expect(crossings).toEqual([]);
  });

  it('gives browser code nothing from the server side but schemas', () => {
    const crossings = [...graph].flatMap(([file, { files }]) => {
      if (!isBrowser(file)) return [];
      const own = demoOf(file);
      return files
        .filter((to) => {
          if (to.startsWith('client/')) return false;
          if (own && (to.startsWith(`demos/${own}/browser/`) || to === `demos/${own}/README.md`)) return false;
          return !(isSchema(to) && (demoOf(to) === undefined || demoOf(to) === own));
        })
        .map((to) => `${file} → ${to}`);
    });
    expect(crossings).toEqual([]);
  });

  it('keeps schema modules free of everything but schemas and TypeBox', () => {
    const offences = [...graph].flatMap(([file, { files, packages }]) =>
      !isSchema(file)
        ? []
        : [
            ...files.filter((to) => !isSchema(to)).map((to) => `${file} → ${to}`),
            ...packages.filter((p) => p !== '@sinclair/typebox').map((p) => `${file} → ${p}`),
          ],
    );
    expect(offences).toEqual([]);
  });

  it('keeps the engine and the application apart', () => {
    const engine = sources('engine');
    const engineOut = engine.flatMap((file) =>
      importsOf(file)
        .files.filter((to) => !to.startsWith('engine/') && !to.startsWith('packages/'))
        .map((to) => `${file} → ${to}`),
    );
    const appIn = [...graph].flatMap(([file, { files }]) =>
      files.filter((to) => to.startsWith('engine/')).map((to) => `${file} → ${to}`),
    );
    expect([...engineOut, ...appIn]).toEqual([]);
  });

  it('has no import cycles in the application', () => {
    const cycles: string[] = [];
    const done = new Set<string>();
    const visit = (file: string, path: string[]): void => {
      const at = path.indexOf(file);
      if (at >= 0) {
        cycles.push([...path.slice(at), file].join(' → '));
        return;
      }
      if (done.has(file)) return;
      for (const to of graph.get(file)?.files ?? []) if (to.endsWith('.ts')) visit(to, [...path, file]);
      done.add(file);
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
