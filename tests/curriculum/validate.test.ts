import { describe, expect, it } from "vitest";
import { type CurriculumIssue, CurriculumValidationError } from "../../src/curriculum/errors.js";
import { validateCurriculumPath } from "../../src/curriculum/importer.js";
import { point, unitWith, writePackage } from "../support/curriculum-files.js";

async function problems(path: string): Promise<CurriculumIssue[]> {
  try {
    await validateCurriculumPath(path);
  } catch (error) {
    if (error instanceof CurriculumValidationError) return error.issues;
    throw error;
  }
  throw new Error("expected validation to fail");
}

describe("curriculum validation", () => {
  it("accepts the fixture and expands its templates", async () => {
    const validated = await validateCurriculumPath("tests/fixtures/curriculum/mini");
    expect(validated.subjectIds).toEqual(["mini"]);
    expect(validated.data.items.filter((i) => i.templateId)).toHaveLength(8);
    expect(validated.warnings).toEqual([]);
  });

  it("reports a YAML syntax error with its line", async () => {
    const issues = await problems(writePackage({ "units.yaml": "units:\n  - id: [unclosed\n" }));
    expect(issues[0]).toMatchObject({ code: "PARSE_ERROR", file: expect.stringMatching(/units\.yaml$/), line: expect.any(Number) });
  });

  it("names file, line, path and id for wrong types and missing fields", async () => {
    const issues = await problems(
      writePackage({
        "units.yaml": unitWith(`      - id: t.a
        name: { zh: 甲, en: A }
        standardCode: NA.1
        difficultyBand: hard
`),
      }),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          code: "INVALID_VALUE",
          path: "units[0].knowledgePoints[0].description",
          id: "t.a",
          message: "description is required",
          line: 9,
        }),
        expect.objectContaining({ code: "INVALID_VALUE", path: "units[0].knowledgePoints[0].difficultyBand", id: "t.a", line: 12 }),
      ]),
    );
  });

  it("explains an unquoted comma inside localized text", async () => {
    const issues = await problems(writePackage({ "units.yaml": unitWith(point("t.a").replace("Description", "Add, then check")) }));
    expect(issues[0]?.message).toMatch(/unquoted comma/);
  });

  it("rejects duplicate ids, naming the first definition", async () => {
    const issues = await problems(writePackage({ "a.yaml": unitWith(point("t.a")), "b.yaml": unitWith(point("t.a"), "t.u2") }));
    const duplicate = issues.find((i) => i.code === "DUPLICATE_ID");
    expect(duplicate).toMatchObject({ id: "t.a", file: expect.stringMatching(/b\.yaml$/) });
    expect(duplicate?.message).toMatch(/first defined in .*a\.yaml:\d+/);
  });

  it("rejects dangling references of every kind", async () => {
    const issues = await problems(
      writePackage({
        "units.yaml": unitWith(point("t.a", ["t.ghost"])).replace("stage: t.s1\n    domain: NA", "stage: t.nostage\n    domain: XX"),
        "items.yaml": `items:
  - id: t.q1
    type: single_choice
    stem: { zh: 题, en: Q }
    knowledgePoints: [t.missing]
    difficulty: 1
    options:
      - { id: A, text: { zh: 一, en: one } }
      - { id: B, text: { zh: 二, en: two }, misconception: t.mis.nope }
    answer: A
resources:
  - id: t.r1
    kind: activity
    title: { zh: 活动, en: Activity }
    body: { zh: 内容, en: Body }
    knowledgePoints: [t.nowhere]
`,
      }),
    );
    const messages = issues.map((i) => `${i.path}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/units\[0\]\.stage: unknown stage "t\.nostage"/),
        expect.stringMatching(/units\[0\]\.domain: unknown domain code "XX"/),
        expect.stringMatching(/prerequisites\[0\]: unknown prerequisite knowledge point "t\.ghost"/),
        expect.stringMatching(/items\[0\]\.knowledgePoints\[0\]: unknown knowledge point "t\.missing"/),
        expect.stringMatching(/items\[0\]\.options\[1\]\.misconception: unknown misconception "t\.mis\.nope"/),
        expect.stringMatching(/resources\[0\]\.knowledgePoints\[0\]: unknown knowledge point "t\.nowhere"/),
      ]),
    );
  });

  it("prints a prerequisite cycle as the cycle", async () => {
    const issues = await problems(
      writePackage({ "units.yaml": unitWith(point("t.a", ["t.c"]) + point("t.b", ["t.a"]) + point("t.c", ["t.b"])) }),
    );
    const cycle = issues.find((i) => i.code === "PREREQUISITE_CYCLE");
    expect(cycle?.message).toMatch(/prerequisite cycle: t\.(a|b|c) → t\.(a|b|c) → t\.(a|b|c) → t\.\1/);
  });

  it("rejects an item without an answer", async () => {
    const issues = await problems(
      writePackage({
        "units.yaml": unitWith(point("t.a")),
        "items.yaml": `items:
  - id: t.q1
    type: numeric
    stem: { zh: 题, en: Q }
    knowledgePoints: [t.a]
    difficulty: 1
`,
      }),
    );
    expect(issues).toEqual([expect.objectContaining({ id: "t.q1", path: "items[0].answer", message: "answer is required", line: 2 })]);
  });

  it("rejects answers naming no option, tagged correct options and accepted wrong answers", async () => {
    const issues = await problems(
      writePackage({
        "units.yaml": unitWith(point("t.a")),
        "items.yaml": `misconceptions:
  - id: t.mis.m
    name: { zh: 误, en: M }
    description: { zh: 误, en: M }
    knowledgePoints: [t.a]
items:
  - id: t.q2
    type: single_choice
    stem: { zh: 题, en: Q }
    knowledgePoints: [t.a]
    difficulty: 1
    options:
      - { id: A, text: { zh: 一, en: one }, misconception: t.mis.m }
      - { id: B, text: { zh: 二, en: two } }
    answer: C
  - id: t.q3
    type: single_choice
    stem: { zh: 题, en: Q }
    knowledgePoints: [t.a]
    difficulty: 1
    options:
      - { id: A, text: { zh: 一, en: one }, misconception: t.mis.m }
      - { id: A, text: { zh: 二, en: two } }
    answer: A
  - id: t.q4
    type: numeric
    stem: { zh: 题, en: Q }
    knowledgePoints: [t.a]
    difficulty: 1
    answer: { value: 2, tolerance: 0.5 }
    wrongAnswers: [{ value: 2.25, misconception: t.mis.m }]
`,
      }),
    );
    expect(issues.find((i) => i.id === "t.q2")).toMatchObject({
      code: "INVALID_ANSWER",
      path: "items[0].answer",
      message: expect.stringMatching(/"C" is not one of the options \(A, B\)/),
    });
    const q3 = issues.filter((i) => i.id === "t.q3").map((i) => i.message);
    expect(q3).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/option id "A" is used twice/),
        expect.stringMatching(/correct option "A" cannot indicate a misconception/),
      ]),
    );
    expect(issues.find((i) => i.id === "t.q4")?.message).toMatch(/wrong answer 2.25 is accepted as correct/);
  });

  it("reports a template that cannot produce its instances", async () => {
    const issues = await problems(
      writePackage({
        "units.yaml": unitWith(point("t.a")),
        "templates.yaml": `itemTemplates:
  - id: t.tpl.small
    type: numeric
    knowledgePoints: [t.a]
    difficulty: 1
    count: 5
    parameters: { a: { int: [1, 2] } }
    stem: { zh: "{a}+1=?", en: "{a}+1=?" }
    answer: "a + 1"
  - id: t.tpl.bad
    type: numeric
    knowledgePoints: [t.a]
    difficulty: 1
    count: 1
    parameters: { a: { int: [1, 2] } }
    stem: { zh: "{b}", en: "{a}" }
    answer: "a +"
`,
      }),
    );
    expect(issues.find((i) => i.id === "t.tpl.small")?.message).toMatch(/produced only 2 of 5 distinct instances/);
    expect(issues.find((i) => i.id === "t.tpl.bad")?.message).toMatch(/unknown parameter \{b\}|unexpected end/);
  });

  it("rejects a file that is not a curriculum at all", async () => {
    const issues = await problems(writePackage({ "notes.json": '{"hello": 1}' }));
    expect(issues[0]).toMatchObject({ code: "INVALID_VALUE", message: expect.stringMatching(/hello/) });
    const empty = await problems("/nonexistent/path");
    expect(empty[0]).toMatchObject({ code: "READ_ERROR" });
  });
});
