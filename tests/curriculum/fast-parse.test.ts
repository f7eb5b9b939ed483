import { describe, expect, it } from "vitest";
import { parseCurriculumFile } from "../../src/curriculum/fast-parse.js";
import { CurriculumFile } from "../../src/curriculum/format.js";

/** A file touching every field the fast path checks by hand. */
function baseFile(): Record<string, unknown> {
  return {
    format: "pathwise-curriculum/1",
    subject: { id: "t", name: { zh: "测", en: "T" } },
    version: "1.0",
    stages: [{ id: "t.s", name: { zh: "段", en: "S" }, grades: [1, 2] }],
    domains: [{ code: "NA", name: { zh: "数", en: "N" } }],
    units: [
      {
        id: "t.u1",
        name: { zh: "单元", en: "Unit" },
        description: { zh: "说明", en: "About" },
        grade: 1,
        semester: 2,
        stage: "t.s",
        domain: "NA",
        order: 0,
        classHours: 1.5,
        knowledgePoints: [
          {
            id: "t.a",
            name: { zh: "甲", en: "A" },
            description: { zh: "甲", en: "A" },
            grade: 1,
            domain: "NA",
            standardCode: "NA.1",
            difficultyBand: 2,
            prerequisites: [],
          },
          {
            id: "t.b",
            name: { zh: "乙", en: "B" },
            description: { zh: "乙", en: "B" },
            standardCode: "NA.2",
            prerequisites: ["t.a", { id: "t.a", strength: 0.5 }, { id: "t.a" }],
          },
        ],
      },
    ],
    items: [
      {
        id: "t.q1",
        type: "single_choice",
        stem: { zh: "题", en: "Q" },
        knowledgePoints: ["t.a", { id: "t.b", weight: 0.5 }, { id: "t.b" }],
        difficulty: 1,
        explanation: { zh: "解", en: "E" },
        options: [
          { id: "A", text: { zh: "一", en: "one" } },
          { id: "B", text: { zh: "二", en: "two" }, misconception: "t.m" },
        ],
        answer: "A",
      },
      {
        id: "t.q2",
        type: "multiple_choice",
        stem: { zh: "题", en: "Q" },
        knowledgePoints: ["t.a"],
        difficulty: 5,
        options: [
          { id: "A", text: { zh: "一", en: "one" } },
          { id: "B", text: { zh: "二", en: "two" } },
        ],
        answer: ["A", "B"],
      },
      { id: "t.q3", type: "numeric", stem: { zh: "题", en: "Q" }, knowledgePoints: ["t.a"], difficulty: 2, answer: { value: 3 } },
    ],
  };
}

type Json = unknown;
const clone = <T>(value: T): T => structuredClone(value);

/** Every path to a value inside `value`. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const found: (string | number)[][] = [prefix];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) found.push(...paths(v, [...prefix, i]));
  } else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) found.push(...paths(v, [...prefix, k]));
  return found;
}

function update(
  root: Json,
  path: (string | number)[],
  change: (parent: Record<string | number, unknown>, key: string | number) => void,
): Json {
  const copy = clone(root);
  if (path.length === 0) return copy;
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  change(node, path[path.length - 1] as string | number);
  return copy;
}

const replacements: unknown[] = [
  undefined,
  null,
  "",
  " ",
  " x ",
  "t.ok",
  "Bad Id",
  "x".repeat(130),
  0,
  -1,
  0.5,
  1,
  2,
  3,
  6,
  13,
  1.5,
  2 ** 60,
  [],
  {},
  ["t.a"],
  true,
];

function mutations(): Json[] {
  const base = baseFile();
  const out: Json[] = [base];
  for (const path of paths(base)) {
    if (path.length === 0) continue;
    for (const value of replacements) {
      out.push(
        update(base, path, (parent, key) => {
          if (value === undefined) {
            if (Array.isArray(parent)) parent.splice(key as number, 1);
            else delete parent[key];
          } else parent[key] = value;
        }),
      );
    }
    out.push(
      update(base, path, (parent, key) => {
        const target = parent[key];
        if (target && typeof target === "object" && !Array.isArray(target)) (target as Record<string, unknown>).extra = 1;
      }),
    );
  }
  return out;
}

describe("fast curriculum file parsing", () => {
  it("agrees with the zod schema on valid and invalid variations of a file", () => {
    const cases = mutations();
    expect(cases.length).toBeGreaterThan(1000);
    let valid = 0;
    for (const content of cases) {
      const expected = CurriculumFile.safeParse(clone(content));
      const actual = parseCurriculumFile(content);
      expect(actual.success, JSON.stringify(content)).toBe(expected.success);
      if (expected.success && actual.success) {
        valid++;
        expect(actual.data).toEqual(expected.data);
      } else if (!expected.success && !actual.success) {
        expect(actual.error.issues).toEqual(expected.error.issues);
      }
    }
    expect(valid).toBeGreaterThan(100);
  });

  it("returns trimmed text and filled-in defaults like zod", () => {
    const content = baseFile();
    const unit = (content.units as { knowledgePoints: { name: unknown }[] }[])[0];
    if (unit?.knowledgePoints[0]) unit.knowledgePoints[0].name = { zh: " 甲 ", en: "A\n" };
    const result = parseCurriculumFile(content);
    expect(result.success && result.data).toEqual(CurriculumFile.parse(content));
  });
});
