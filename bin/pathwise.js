#!/usr/bin/env node
// Entry of the `pathwise` command. The TypeScript sources are compiled to dist/ by
// `npm install` (the `prepare` script); point at a clear fix if that step was skipped.
import { existsSync } from "node:fs";

const cliEntry = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cliEntry)) {
  console.error("pathwise: dist/ is missing. Run `npm install` (or `npm run build`) in the project first.");
  process.exit(1);
}
await import(cliEntry.href);
