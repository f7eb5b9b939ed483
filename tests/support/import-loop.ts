/** Test helper: imports alternating versions of a curriculum forever, printing each committed revision. */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { importCurriculum } from "../../src/curriculum/importer.js";
import { SqliteStore } from "../../src/graph/sqlite/sqlite-store.js";

const [file, source] = process.argv.slice(2) as [string, string];
const store = new SqliteStore({ file });
await store.migrate();
const copy = join(mkdtempSync(join(tmpdir(), "pathwise-loop-")), "pkg");
cpSync(source, copy, { recursive: true });
const unitFile = join(copy, "fractions.yaml");
const original = readFileSync(unitFile, "utf8");
for (let round = 1; ; round++) {
  writeFileSync(unitFile, original.replace("认识几分之一", `认识几分之一 ${round}`));
  await importCurriculum(store, copy);
  process.stdout.write(`${await store.curriculum.curriculumRevision()}\n`);
}
