import { mkdtempSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ModelFileError } from "../../src/bkt/model-file.js";
import { DEFAULT_PARAMETERS } from "../../src/bkt/parameters.js";
import { loadConfig } from "../../src/config.js";
import { SqliteStore } from "../../src/graph/sqlite/sqlite-store.js";
import { createLogger } from "../../src/logger.js";
import { openRuntime, type Runtime } from "../../src/services/runtime.js";
import { parameterSet, pointParameters } from "../graph/store-contract.js";

const quiet = createLogger("silent");
let dir: string;
let runtime: Runtime;

/** A params.json as `pathwise bkt fit` writes it: two curriculum points and one external skill. */
function writeParams(fit: Record<string, unknown> | undefined, prior = 0.35): string {
  const file = join(dir, `params-${prior}.json`);
  const skills = {
    "mini.kp.add-like": { prior, learn: 0.2, forget: 0, slip: 0.08, guess: 0.22 },
    "mini.kp.unit-fraction": { prior: 0.5, learn: 0.1, forget: 0, slip: 0.6, guess: 0.5 },
    Angles: { prior: 0.4, learn: 0.1, forget: 0, slip: 0.05, guess: 0.25 },
  };
  writeFileSync(file, `${JSON.stringify({ variant: "standard", skills, ...(fit ? { fit } : {}) }, null, 2)}\n`);
  return file;
}

const FIT = {
  logLikelihood: -321.25,
  iterations: 37,
  rows: 900,
  seconds: 0.4,
  warnings: ["Angles: EM stopped at the iteration cap before converging", "1 knowledge point(s) have a parameter held at its bound"],
  degenerate: 0,
  data: { file: "answers.csv.gz", rows: 900, students: 60, skills: 3, items: 0, sequences: 180 },
  fittedAt: "2026-04-30T08:00:00.000Z",
  skills: {},
};

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "pathwise-mastery-"));
  const config = loadConfig({ PATHWISE_DATA_DIR: dir, PATHWISE_SEED_PATH: "tests/fixtures/curriculum/mini" });
  runtime = await openRuntime(config, quiet, { seed: true });
});

afterEach(async () => {
  vi.restoreAllMocks();
  await runtime.close();
});

describe("MasteryModelService", () => {
  it("answers DEFAULT_PARAMETERS, marked as such, for a point never fitted", async () => {
    expect(await runtime.masteryModel.parametersFor("mini.kp.add-like")).toEqual({
      knowledgePointId: "mini.kp.add-like",
      ...DEFAULT_PARAMETERS,
      source: "default",
    });
  });

  it("imports params.json with its fit as provenance, reports unknown points, and serves the fitted values", async () => {
    const file = writeParams(FIT);
    const report = await runtime.masteryModel.importParameterFile(file, { createdBy: "analyst", metrics: { pooled: { auc: 0.7 } } });
    expect(report.matched).toEqual(["mini.kp.add-like", "mini.kp.unit-fraction"]);
    expect(report.unknown).toEqual(["Angles"]);
    expect(report.warnings).toEqual([expect.stringMatching(/1 point\(s\) have slip \+ guess ≥ 1.*mini\.kp\.unit-fraction/)]);
    expect(report.set).toMatchObject({
      variant: "standard",
      fittedAt: "2026-04-30T08:00:00.000Z",
      source: { data: "answers.csv.gz", rows: 900, students: 60, paramsFile: file },
      fit: { logLikelihood: -321.25, iterations: 37, warnings: 2 },
      metrics: { pooled: { auc: 0.7 } },
      createdBy: "analyst",
      pointCount: 3,
      currentPointCount: 3,
    });

    const [point, external, never] = await runtime.masteryModel.parametersForMany([
      "mini.kp.add-like",
      "Angles",
      "mini.kp.fraction-compare",
    ]);
    expect(point).toEqual({
      knowledgePointId: "mini.kp.add-like",
      prior: 0.35,
      learn: 0.2,
      forget: 0,
      slip: 0.08,
      guess: 0.22,
      setId: report.set.id,
      variant: "standard",
      fittedAt: "2026-04-30T08:00:00.000Z",
      activatedAt: report.set.activatedAt,
      source: "fitted",
    });
    expect(external).toMatchObject({ prior: 0.4, source: "fitted" });
    expect(never).toMatchObject({ ...DEFAULT_PARAMETERS, source: "default" });
  });

  it("caches answers and drops them when it saves or activates a set", async () => {
    const read = vi.spyOn(runtime.store.bktParameters, "currentParameters");
    const first = await runtime.masteryModel.importParameterFile(writeParams(FIT, 0.3));
    await runtime.masteryModel.parametersFor("mini.kp.add-like");
    await runtime.masteryModel.parametersForMany(["mini.kp.add-like", "mini.kp.add-like"]);
    expect(read).toHaveBeenCalledTimes(1);

    const second = await runtime.masteryModel.importParameterFile(writeParams(FIT, 0.45), { activate: false });
    expect(second.set.activation).toBeUndefined();
    expect((await runtime.masteryModel.parametersFor("mini.kp.add-like")).prior).toBe(0.3);
    expect(read).toHaveBeenCalledTimes(2);

    await runtime.masteryModel.activate(second.set.id);
    expect(await runtime.masteryModel.parametersFor("mini.kp.add-like")).toMatchObject({ prior: 0.45, setId: second.set.id });
    await runtime.masteryModel.activate(first.set.id);
    expect(await runtime.masteryModel.parametersFor("mini.kp.add-like")).toMatchObject({ prior: 0.3, setId: first.set.id });
  });

  it("notices a set activated by another process (refreshIfStale)", async () => {
    expect(await runtime.masteryModel.refreshIfStale()).toBe(true);
    expect((await runtime.masteryModel.parametersFor("mini.kp.add-like")).source).toBe("default");
    expect(await runtime.masteryModel.refreshIfStale()).toBe(false);

    const other = new SqliteStore({ file: join(dir, "pathwise.sqlite") });
    await other.migrate();
    await other.bktParameters.saveParameterSet(parameterSet([pointParameters("mini.kp.add-like", 0.66)]));
    await other.close();

    expect((await runtime.masteryModel.parametersFor("mini.kp.add-like")).source).toBe("default"); // cached
    expect(await runtime.masteryModel.refreshIfStale()).toBe(true);
    expect(await runtime.masteryModel.parametersFor("mini.kp.add-like")).toMatchObject({ prior: 0.66, source: "fitted" });
  });

  it("falls back to the file's time when params.json has no fit block, and rejects a bad file writing nothing", async () => {
    const file = writeParams(undefined);
    utimesSync(file, new Date("2026-03-01T00:00:00Z"), new Date("2026-03-01T00:00:00Z"));
    const report = await runtime.masteryModel.importParameterFile(file, { dataDescription: "district pilot, spring term" });
    expect(report.set).toMatchObject({
      fittedAt: "2026-03-01T00:00:00.000Z",
      source: { data: "district pilot, spring term", paramsFile: file },
      fit: { warnings: 0 },
      createdBy: "unknown",
    });
    expect(report.warnings[0]).toMatch(/no fit\.fittedAt; used the file's modification time/);

    const bad = join(dir, "bad.json");
    writeFileSync(
      bad,
      '{ "variant": "standard", "skills": { "x": { "prior": 1.5, "learn": 0.1, "forget": 0, "slip": 0.1, "guess": 0.2 } } }',
    );
    await expect(runtime.masteryModel.importParameterFile(bad)).rejects.toBeInstanceOf(ModelFileError);
    expect(await runtime.store.bktParameters.listParameterSets()).toHaveLength(1);
  });
});
