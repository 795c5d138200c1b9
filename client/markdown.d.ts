// A demo's README.md, bundled as text by esbuild (scripts/build-client.mjs).
declare module '*.md' {
  const text: string;
  export default text;
}
