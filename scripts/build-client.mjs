// Bundles the browser code with esbuild into dist/client: one bundle per demo page
// (demos/<name>/browser/page.ts → <name>.js) and the index page (client/index-page.ts →
// index.js; client/pipelines-page.ts → pipelines.js). A demo's README.md is bundled as text, for its "How it works" panel.
import { build } from 'esbuild';
import { existsSync, readdirSync } from 'node:fs';

const entryPoints = {
  index: 'client/index-page.ts',
  pipelines: 'client/pipelines-page.ts',
  'api-docs': 'client/api-docs-page.ts',
};
for (const name of readdirSync('demos')) {
  const page = `demos/${name}/browser/page.ts`;
  if (existsSync(page)) entryPoints[name] = page;
}
await build({
  entryPoints,
  outdir: 'dist/client',
  bundle: true,
  format: 'esm',
  target: 'es2022',
  sourcemap: true,
  minify: process.env.NODE_ENV === 'production',
  tsconfig: 'client/tsconfig.json',
  loader: { '.md': 'text' },
  logLevel: 'warning',
});
