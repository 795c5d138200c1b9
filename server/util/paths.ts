// Where the project's files are, whether we run from dist/ or from the TypeScript sources.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`No package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

export const projectRoot = findRoot(
  __dirname.includes(`${join('dist', 'server')}`) ? join(__dirname, '..', '..', '..') : __dirname,
);
export const demosDir = join(projectRoot, 'demos');
export const clientBundleDir = join(projectRoot, 'dist', 'client');
export const clientDir = join(projectRoot, 'client');
export const assetsDir = join(clientDir, 'assets');
