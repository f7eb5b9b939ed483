/** Writes small curriculum packages to temporary directories for validation tests. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export const MANIFEST = `format: pathwise-curriculum/1
subject:
  id: t
  name: { zh: 测试, en: Test }
stages:
  - id: t.s1
    name: { zh: 学段, en: Stage }
    grades: [1, 2]
domains:
  - code: NA
    name: { zh: 数与代数, en: Number }
`;

/** A package directory with the given files (relative path → content); the manifest is added unless given. */
export function writePackage(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "pathwise-pkg-"));
  const all = { "subject.yaml": MANIFEST, ...files };
  for (const [name, content] of Object.entries(all)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), content);
  }
  return root;
}

/** A unit with the given knowledge-point YAML (already indented to list level 6). */
export function unitWith(points: string, unitId = "t.u1"): string {
  return `units:
  - id: ${unitId}
    name: { zh: 单元, en: Unit }
    grade: 1
    stage: t.s1
    domain: NA
    order: 1
    knowledgePoints:
${points}`;
}

export function point(id: string, prerequisites: string[] = []): string {
  return `      - id: ${id}
        name: { zh: 点${id}, en: Point ${id} }
        description: { zh: 描述, en: Description }
        standardCode: NA.${id}
        prerequisites: [${prerequisites.join(", ")}]
`;
}
