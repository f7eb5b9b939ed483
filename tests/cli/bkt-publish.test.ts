/** `pathwise bkt publish | activate` as a refit job calls them: a real process on a real data directory. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { SqliteStore } from "../../src/graph/sqlite/sqlite-store.js";

function pathwise(...args: string[]) {
  const result = spawnSync(process.execPath, ["bin/pathwise.js", ...args], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const dir = mkdtempSync(join(tmpdir(), "pathwise-publish-"));
const dataDir = join(dir, "data");

function writeParams(name: string, prior: number, extra: Record<string, unknown> = {}): string {
  const file = join(dir, name);
  const skill = (p: number) => ({ prior: p, learn: 0.2, forget: 0, slip: 0.1, guess: 0.2 });
  const params = {
    variant: "standard",
    skills: { "mini.kp.add-like": skill(prior), "mini.kp.unit-fraction": skill(prior), "Angles, external": skill(0.5) },
    fit: {
      logLikelihood: -100.5,
      iterations: 12,
      rows: 640,
      warnings: [],
      data: { file: "answers.csv.gz", rows: 640, students: 40 },
      fittedAt: "2026-05-02T09:30:00.000Z",
    },
    ...extra,
  };
  writeFileSync(file, `${JSON.stringify(params, null, 2)}\n`);
  return file;
}

async function currentPrior(knowledgePointId: string): Promise<[string, number] | undefined> {
  const store = new SqliteStore({ file: join(dataDir, "pathwise.sqlite") });
  try {
    const [current] = await store.bktParameters.currentParameters([knowledgePointId]);
    return current && [current.setId, current.prior];
  } finally {
    await store.close();
  }
}

beforeAll(() => {
  const imported = pathwise("curriculum", "import", "tests/fixtures/curriculum/mini", "--data-dir", dataDir);
  expect(imported.status, imported.stderr).toBe(0);
});

describe("pathwise bkt publish", () => {
  it("stores params.json with provenance, reports the curriculum match and activates it", async () => {
    const metrics = join(dir, "cv.json");
    writeFileSync(metrics, JSON.stringify({ variant: "standard", pooled: { auc: 0.73, rmse: 0.41 } }));
    const published = pathwise(
      "bkt",
      "publish",
      "--params",
      writeParams("params.json", 0.3),
      "--metrics",
      metrics,
      "--created-by",
      "refit-job",
      "--data-dir",
      dataDir,
    );
    expect(published.status, published.stderr).toBe(0);
    const id = /stored BKT parameter set (\S+)/.exec(published.stdout)?.[1] as string;
    expect(id).toMatch(/^bkt-/);
    expect(published.stdout).toContain("variant standard, fitted 2026-05-02T09:30:00.000Z on answers.csv.gz (640 rows, 40 students)");
    expect(published.stdout).toContain("fit: log-likelihood -100.5, 12 iterations, 0 warning(s), metrics kept; published by refit-job");
    expect(published.stdout).toContain("knowledge points: 3 — 2 in the curriculum, 1 not in the curriculum");
    expect(published.stdout).toContain("not in the curriculum (stored all the same): Angles, external");
    expect(published.stdout).toContain("current for 3 of its 3 knowledge point(s)");
    expect(await currentPrior("mini.kp.add-like")).toEqual([id, 0.3]);

    const store = new SqliteStore({ file: join(dataDir, "pathwise.sqlite") });
    const set = await store.bktParameters.getParameterSet(id);
    await store.close();
    expect(set).toMatchObject({ createdBy: "refit-job", metrics: { pooled: { auc: 0.73 } }, fit: { iterations: 12, warnings: 0 } });
  });

  it("stores without activating under --no-activate (--json), and `bkt activate` makes it current later", async () => {
    const before = await currentPrior("mini.kp.add-like");
    const published = pathwise(
      "bkt",
      "publish",
      "--params",
      writeParams("refit.json", 0.45),
      "--no-activate",
      "--json",
      "--data-dir",
      dataDir,
    );
    expect(published.status, published.stderr).toBe(0);
    const report = JSON.parse(published.stdout);
    expect(report.set).toMatchObject({ pointCount: 3, currentPointCount: 0 });
    expect(report.set.activation).toBeUndefined();
    expect(report.unknown).toEqual(["Angles, external"]);
    expect(await currentPrior("mini.kp.add-like")).toEqual(before);

    const activated = pathwise("bkt", "activate", report.set.id, "--data-dir", dataDir);
    expect(activated.status, activated.stderr).toBe(0);
    expect(activated.stdout).toContain(`activated BKT parameter set ${report.set.id}`);
    expect(await currentPrior("mini.kp.add-like")).toEqual([report.set.id, 0.45]);

    const unknown = pathwise("bkt", "activate", "bkt-nope", "--data-dir", dataDir);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/unknown BKT parameter set: bkt-nope/);
  });

  it("refuses a bad file with its location and stores nothing", async () => {
    const before = await currentPrior("mini.kp.add-like");
    const file = writeParams("bad.json", 1.5);
    const result = pathwise("bkt", "publish", "--params", file, "--data-dir", dataDir);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/bad\.json:\d+:\d+: .*skills\.mini\.kp\.add-like\.prior/);
    expect(await currentPrior("mini.kp.add-like")).toEqual(before);
    expect(pathwise("bkt", "publish", "--data-dir", dataDir).stderr).toMatch(/required option '--params <file>'/);
  });
});
