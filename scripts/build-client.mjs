// Bundles the browser code (client/pages/*.ts) into dist/client with esbuild.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';

const pages = readdirSync('client/pages').filter((f) => f.endsWith('.ts'));
await build({
  entryPoints: pages.map((f) => `client/pages/${f}`),
  outdir: 'dist/client',
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  minify: process.env.NODE_ENV === 'production',
  tsconfig: 'client/tsconfig.json',
  logLevel: 'warning',
});
