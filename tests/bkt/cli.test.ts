/** `pathwise bkt …` as other tools call it: a real process on real files. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import { simulateTraces } from "../../src/bkt/simulate.js";

function pathwise(...args: string[]) {
  const result = spawnSync(process.execPath, ["bin/pathwise.js", "bkt", ...args], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dir = mkdtempSync(join(tmpdir(), "pathwise-bkt-"));
const csv = join(dir, "answers.csv");
const gz = join(dir, "answers.csv.gz");

beforeAll(() => {
  const rows = simulateTraces({
    skills: [
      {
        name: "Fractions, adding",
        parameters: { prior: 0.3, learn: 0.2, forget: 0, slip: 0.1, guess: 0.2 },
        items: [
          { guess: 0.3, slip: 0.1 },
          { guess: 0.1, slip: 0.2 },
        ],
      },
      { name: "Angles", parameters: { prior: 0.5, learn: 0.1, forget: 0, slip: 0.05, guess: 0.25 }, items: [{ guess: 0.25, slip: 0.05 }] },
    ],
    students: 120,
    answers: [3, 8],
    seed: 5,
  });
  // pyBKT's column names, a quoted skill with a comma, and the columns in an unusual order.
  const lines = ["order_id,skill_name,user_id,correct,problem_id"];
  for (let i = 0; i < rows.length; i++) {
    const skill = rows.skills[rows.skill[i] as number] as string;
    lines.push(
      [i + 1, `"${skill}"`, rows.students[rows.student[i] as number], rows.correct[i], `"${rows.items[rows.item[i] as number]}"`].join(","),
    );
  }
  writeFileSync(csv, `${lines.join("\n")}\n`);
  writeFileSync(gz, gzipSync(readFileSync(csv)));
});

describe("bkt fit and evaluate", () => {
  it("writes params.json and scores it", () => {
    const out = join(dir, "params.json");
    const fit = pathwise("fit", "--data", gz, "--out", out, "--threads", "1");
    expect(fit.status, fit.stderr).toBe(0);
    const params = JSON.parse(readFileSync(out, "utf8"));
    expect(params.variant).toBe("standard");
    expect(Object.keys(params.skills).sort()).toEqual(["Angles", "Fractions, adding"]);
    for (const skill of Object.values(params.skills) as Record<string, number>[]) {
      for (const key of ["prior", "learn", "forget", "slip", "guess"]) expect(skill[key]).toBeGreaterThanOrEqual(0);
      expect((skill.slip as number) + (skill.guess as number)).toBeLessThan(1);
    }
    expect(params.fit).toMatchObject({ rows: expect.any(Number), iterations: expect.any(Number), warnings: expect.any(Array) });
    expect(params.fit.logLikelihood).toBeLessThan(0);

    const evaluated = pathwise("evaluate", "--data", csv, "--params", out);
    expect(evaluated.status, evaluated.stderr).toBe(0);
    const metrics = JSON.parse(evaluated.stdout);
    expect(metrics.rows).toBe(params.fit.rows);
    expect(metrics.auc).toBeGreaterThan(0.6);
    expect(metrics).toHaveProperty("rmse");
    expect(metrics).toHaveProperty("logLoss");
    expect(metrics).toHaveProperty("accuracy");
  });

  it("gives the same parameters on 1 and 2 threads", () => {
    const one = join(dir, "one.json");
    const two = join(dir, "two.json");
    expect(pathwise("fit", "--data", csv, "--out", one, "--threads", "1", "--seed", "3").status).toBe(0);
    expect(pathwise("fit", "--data", csv, "--out", two, "--threads", "2", "--seed", "3").status).toBe(0);
    expect(JSON.parse(readFileSync(two, "utf8")).skills).toEqual(JSON.parse(readFileSync(one, "utf8")).skills);
  });

  it("fits per-item guess and slip with --variant item-difficulty", () => {
    const out = join(dir, "items.json");
    const fit = pathwise("fit", "--data", csv, "--out", out, "--variant", "item-difficulty", "--threads", "1");
    expect(fit.status, fit.stderr).toBe(0);
    const params = JSON.parse(readFileSync(out, "utf8"));
    expect(Object.keys(params.skills["Fractions, adding"].items).sort()).toEqual(["Fractions, adding#0", "Fractions, adding#1"]);
  });
});

describe("bkt crossvalidate", () => {
  it("prints pooled and per-fold metrics as JSON", () => {
    const result = pathwise("crossvalidate", "--data", csv, "--folds", "4", "--threads", "2");
    expect(result.status, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(Object.keys(report.pooled).sort()).toEqual(["accuracy", "auc", "logLoss", "rmse", "rows"]);
    expect(report.folds).toHaveLength(4);
    expect(report.pooled.rows).toBe(report.data.rows);
    expect(report.degenerate).toBe(0);
  });
});

describe("bad input", () => {
  it("names a missing column and how to map it", () => {
    const result = pathwise("fit", "--data", csv, "--out", join(dir, "x.json"), "--skill-col", "kc");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${csv}:1 (column kc): no skill column "kc"`);
    expect(result.stderr).toContain("--skill-col");
  });

  it("gives the line and column of a bad value", () => {
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "user_id,skill_name,correct,order_id\nu1,s,1,1\nu1,s,yes,2\n");
    const result = pathwise("fit", "--data", bad, "--out", join(dir, "x.json"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${bad}:3 (column correct): correct must be 1, 0 or -1`);
  });

  it("refuses a row with more fields than the header", () => {
    const bad = join(dir, "extra.csv");
    writeFileSync(bad, "user_id,skill_name,correct,order_id\nu1,s,1,1\nu1,Fractions, adding,1,2\n");
    const result = pathwise("fit", "--data", bad, "--out", join(dir, "x.json"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${bad}:3: the row has 5 fields, the header 4`);
  });

  it("asks for an item column for item variants", () => {
    const noItems = join(dir, "no-items.csv");
    writeFileSync(noItems, "user_id,skill_name,correct,order_id\nu1,s,1,1\n");
    const result = pathwise("crossvalidate", "--data", noItems, "--variant", "item-difficulty");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no item column "problem_id"');
  });

  it("points at the line and column of a bad params file", () => {
    const params = join(dir, "bad-params.json");
    writeFileSync(
      params,
      '{\n  "variant": "standard",\n  "skills": {\n    "Angles": { "prior": 0.2, "learn": 1.7, "forget": 0, "slip": 0.1, "guess": 0.2 }\n  }\n}\n',
    );
    const result = pathwise("evaluate", "--data", csv, "--params", params);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`${params}:4:\\d+: .*skills\\.Angles\\.learn`));

    writeFileSync(params, '{ "variant": "standard", "skills": { ');
    const truncated = pathwise("evaluate", "--data", csv, "--params", params);
    expect(truncated.status).toBe(1);
    expect(truncated.stderr).toMatch(new RegExp(`${params}:1:\\d+: not valid JSON`));
  });

  it("rejects an unknown variant and a bad number of folds", () => {
    expect(pathwise("fit", "--data", csv, "--out", join(dir, "x.json"), "--variant", "magic").stderr).toContain("magic");
    expect(pathwise("crossvalidate", "--data", csv, "--folds", "1").stderr).toContain("folds from 2 to 100");
  });

  it("says when the data file cannot be read", () => {
    const result = pathwise("fit", "--data", join(dir, "missing.csv"), "--out", join(dir, "x.json"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("cannot read the file (ENOENT)");
  });
});
