/** `pathwise roster import` and `pathwise attempts import` as real processes on a real data directory. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { updateMastery } from "../../src/bkt/online.js";
import { DEFAULT_PARAMETERS } from "../../src/bkt/parameters.js";
import { SqliteStore } from "../../src/graph/sqlite/sqlite-store.js";

const dir = mkdtempSync(join(tmpdir(), "pathwise-learner-cli-"));
const dataDir = join(dir, "data");

function pathwise(...args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "tests/cli/learner-cli.ts", ...args, "--data-dir", dataDir], {
    encoding: "utf8",
    env: { ...process.env, PATHWISE_SEED_PATH: "tests/fixtures/curriculum/mini" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function withStore<T>(body: (store: SqliteStore) => Promise<T>): Promise<T> {
  const store = new SqliteStore({ file: join(dataDir, "pathwise.sqlite") });
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  // Seed the curriculum (the runtime imports the seed into an empty store).
  const store = new SqliteStore({ file: join(dataDir, "pathwise.sqlite") });
  await store.migrate();
  const { importCurriculum } = await import("../../src/curriculum/importer.js");
  await importCurriculum(store, "tests/fixtures/curriculum/mini");
  await store.close();
});

describe("pathwise roster import", () => {
  it("refuses a file with bad rows, listing each as file:line, and writes nothing", async () => {
    const bad = file(
      "bad-roster.csv",
      [
        "class,grade,student_id,display_name,teacher_id",
        "7A,7,s-1,Wang,t-1",
        "7A,8,s-2,,",
        ",7,s-3,,",
        "7B,seven,s-4,,",
        "7B,7,,Nameless,",
        '"7C",7,s-1,"Li, Wei",',
      ].join("\n"),
    );
    const result = pathwise("roster", "import", bad, "--school", "school-a");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("nothing was written");
    expect(result.stderr).toMatch(/bad-roster\.csv:3: class 7A has grade 8 here but 7 on line 2/);
    expect(result.stderr).toMatch(/bad-roster\.csv:4: class is empty/);
    expect(result.stderr).toMatch(/bad-roster\.csv:5: grade must be a whole number/);
    expect(result.stderr).toMatch(/bad-roster\.csv:6: display_name is given without a student_id/);
    expect(result.stderr).toMatch(/bad-roster\.csv:7: student s-1 has display_name "Li, Wei" here but "Wang" on line 2/);
    expect(await withStore((s) => s.learners.getSchools(["school-a"]))).toEqual([undefined]);

    const header = pathwise("roster", "import", file("header.csv", "class,student\n7A,s-1\n"), "--school", "school-a");
    expect(header.status).toBe(1);
    expect(header.stderr).toMatch(/header\.csv:1: the header lacks column\(s\) grade, student_id, display_name, teacher_id/);
  });

  it("imports a valid roster all at once and is idempotent", async () => {
    const roster = file(
      "roster.csv",
      ["class,grade,student_id,display_name,teacher_id", "7A,3,s-1,Wang,t-1", "7A,3,s-2,,t-1", "7B,3,s-3,,t-2", "7B,3,,,t-1"].join("\r\n"),
    );
    const result = pathwise("roster", "import", roster, "--school", "school-a", "--subject", "mini");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      "imported roster into school school-a (new school) — 4 row(s): 2 class(es), 3 student(s), 2 teacher(s)",
    );
    expect(result.stdout).toMatch(/enrolments: 3 added, 0 already there/);
    const again = pathwise("roster", "import", roster, "--school", "school-a");
    expect(again.stdout).toMatch(/students: +0 added, 3 updated/);
    expect(again.stdout).toMatch(/enrolments: 0 added, 3 already there/);
    await withStore(async (s) => {
      expect(await s.learners.studentsOfClass("school-a:7A")).toEqual(["s-1", "s-2"]);
      expect(await s.learners.classesOfTeacher("t-1")).toEqual(["school-a:7A", "school-a:7B"]);
      expect((await s.learners.getClasses(["school-a:7B"]))[0]).toMatchObject({ grade: 3, subjectId: "mini" });
    });

    // Another school cannot take over these students.
    const other = pathwise(
      "roster",
      "import",
      file("other.csv", "class,grade,student_id,display_name,teacher_id\n1,1,s-2,,\n"),
      "--school",
      "school-b",
    );
    expect(other.status).toBe(1);
    expect(other.stderr).toMatch(/other\.csv:2: student s-2 belongs to another school/);
  });
});

describe("pathwise attempts import", () => {
  const HEADER = "attempt_id,student_id,item_id,response,answered_at";

  it("refuses a log with bad rows (file:line each) and writes nothing; --skip-invalid imports the rest", async () => {
    const log = file(
      "bad-log.csv",
      [
        HEADER,
        "a-1,s-1,mini.item.compare-1,B,2026-05-01T08:00:00Z",
        "a-2,s-1,mini.item.nope,B,2026-05-01T08:01:00Z",
        "a-3,nobody,mini.item.compare-1,B,2026-05-01T08:02:00Z",
        "a-4,s-1,mini.item.compare-1,Z,2026-05-01T08:03:00Z",
        "a-5,s-1,mini.item.compare-1,B,not a date",
        "a-6,s-1,mini.item.unit-fraction-1,four,2026-05-01T08:04:00Z",
        "a-1,s-1,mini.item.compare-1,A,2026-05-01T08:05:00Z",
      ].join("\n"),
    );
    const refused = pathwise("attempts", "import", log);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("nothing was written");
    expect(refused.stderr).toMatch(/bad-log\.csv:3: item "mini\.item\.nope" does not exist/);
    expect(refused.stderr).toMatch(/bad-log\.csv:4: student "nobody" does not exist/);
    expect(refused.stderr).toMatch(/bad-log\.csv:5: item mini\.item\.compare-1 has no option "Z"/);
    expect(refused.stderr).toMatch(/bad-log\.csv:6: answered_at must be an ISO 8601 date/);
    expect(refused.stderr).toMatch(/bad-log\.csv:7: not a number: "four"/);
    expect(refused.stderr).toMatch(/bad-log\.csv:8: attempt_id a-1 is used on line 2 for a different answer/);
    expect(await withStore((s) => s.learners.attemptHistory("s-1", { limit: 10 }))).toMatchObject({ totalCount: 0 });

    const partial = pathwise("attempts", "import", log, "--skip-invalid");
    expect(partial.status).toBe(1);
    expect(partial.stdout).toContain("7 row(s): imported 1, skipped 0 (already recorded), 6 error(s)");
    expect(partial.stderr).toMatch(/bad-log\.csv:3: /);
  });

  it("replays a log in answered_at order in batches, and skips what was already imported", async () => {
    const log = file(
      "log.csv",
      [
        `${HEADER},response_time_ms`,
        "b-3,s-2,mini.item.unlike-1,A;B,2026-05-02T10:00:00Z,5000",
        "b-1,s-2,mini.item.compare-1,A,2026-05-02T08:00:00Z,",
        "b-2,s-2,mini.item.compare-1,B,2026-05-02T09:00:00Z,",
        'b-4,s-2,mini.item.word-1,"Denominator",2026-05-02T11:00:00Z,',
        "b-5,s-2,mini.item.unit-fraction-1,4,2026-05-02T07:00:00Z,",
      ].join("\n"),
    );
    const result = pathwise("attempts", "import", log, "--batch-size", "2");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("5 row(s): imported 5, skipped 0 (already recorded), 0 error(s)");
    await withStore(async (s) => {
      const history = (await s.learners.attemptHistory("s-2", { limit: 10 })).nodes.reverse();
      expect(history.map((a) => a.idempotencyKey)).toEqual(["b-5", "b-1", "b-2", "b-3", "b-4"]);
      expect(history.map((a) => a.correct)).toEqual([true, false, true, true, true]);
      expect(history[3]?.responseTimeMs).toBe(5000);
      const [compare] = await s.learners.studentMastery("s-2", ["mini.kp.fraction-compare"]);
      const p = DEFAULT_PARAMETERS;
      expect(compare?.probability).toBeCloseTo(updateMastery(updateMastery(p.prior, false, p), true, p), 15);
      expect(compare?.lastPractisedAt).toBe("2026-05-02T09:00:00.000Z");
    });
    const again = pathwise("attempts", "import", log);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("5 row(s): imported 0, skipped 5 (already recorded), 0 error(s)");
  });
});
