/**
 * A subject's normalized entities, and so their content hashes, depend only on its own package,
 * never on which other subjects are validated or imported together with it.
 */
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { contentHash, validateCurriculumPath } from "../../src/curriculum/importer.js";
import type { CurriculumData } from "../../src/curriculum/model.js";
import { MANIFEST, writePackage } from "../support/curriculum-files.js";

const MINI = "tests/fixtures/curriculum/mini";

/** Subject t with two stages and three domain codes, so its numbering would shift mini's. */
const OTHER_MANIFEST = MANIFEST.replace(
  "stages:\n",
  "stages:\n  - id: t.s0\n    name: { zh: 学段零, en: Stage 0 }\n    grades: [1]\n",
).concat(`  - code: NB
    name: { zh: 图形, en: Shapes }
    subdomains:
      - code: NB.1
        name: { zh: 图形一, en: Shapes 1 }
`);

/** A directory of packages: `aaa` (subject t, loaded first) and a copy of mini. */
function miniWithAnotherSubjectFirst(): string {
  const root = mkdtempSync(join(tmpdir(), "pathwise-set-"));
  cpSync(writePackage({ "subject.yaml": OTHER_MANIFEST }), join(root, "aaa"), { recursive: true });
  cpSync(MINI, join(root, "mini"), { recursive: true });
  return root;
}

function hashesOf(data: CurriculumData, subjectId: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const [kind, entities] of Object.entries(data)) {
    for (const entity of entities as { subjectId?: string; id?: string; code?: string; fromId?: string; toId?: string }[]) {
      const owner = kind === "subjects" ? entity.id : entity.subjectId;
      if (kind === "prerequisites") {
        if (!data.knowledgePoints.some((k) => k.id === entity.toId && k.subjectId === subjectId)) continue;
      } else if (owner !== subjectId) continue;
      hashes[`${kind}:${entity.id ?? entity.code ?? `${entity.fromId}->${entity.toId}`}`] = contentHash(JSON.stringify(entity));
    }
  }
  return hashes;
}

describe("a subject's entities do not depend on the rest of the import set", () => {
  it("numbers stages and domains within the subject's own package", async () => {
    const together = await validateCurriculumPath(miniWithAnotherSubjectFirst());
    expect(together.subjectIds).toEqual(["t", "mini"]);
    const mini = (kind: "stages" | "domains") => together.data[kind].filter((e) => e.subjectId === "mini").map((e) => e.order);
    expect(mini("stages")).toEqual([0, 1]);
    expect(mini("domains")).toEqual([0, 1]);
    const t = (kind: "stages" | "domains") => together.data[kind].filter((e) => e.subjectId === "t").map((e) => e.order);
    expect(t("stages")).toEqual([0, 1]);
    expect(t("domains")).toEqual([0, 1, 2]);
  });

  it("gives every entity of a subject the same content hash alone or with other subjects", async () => {
    const alone = await validateCurriculumPath(MINI);
    const together = await validateCurriculumPath(miniWithAnotherSubjectFirst());
    const hashes = hashesOf(alone.data, "mini");
    expect(Object.keys(hashes).length).toBeGreaterThan(20);
    expect(hashesOf(together.data, "mini")).toEqual(hashes);
  });
});
