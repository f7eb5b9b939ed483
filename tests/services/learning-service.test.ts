/** The answer path on the real embedded store: grading, BKT numbers, idempotency, durability, atomicity, concurrency. */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { predictCorrect, updateIndependent, updateMastery } from "../../src/bkt/online.js";
import { DEFAULT_PARAMETERS } from "../../src/bkt/parameters.js";
import { loadConfig } from "../../src/config.js";
import type { AttemptRecord } from "../../src/graph/store.js";
import { createLogger } from "../../src/logger.js";
import { coldStartDifficulty, eloStep, predictedSuccess } from "../../src/recommender/difficulty.js";
import { ConflictError, InvalidInputError, NotFoundError } from "../../src/services/errors.js";
import { MASTERED_THRESHOLD, masteryState, masteryUpdate } from "../../src/services/learning-service.js";
import type { MasteryParameters } from "../../src/services/mastery-model-service.js";
import { openRuntime, type Runtime } from "../../src/services/runtime.js";
import { parameterSet, pointParameters } from "../graph/store-contract.js";

const quiet = createLogger("silent");
const COMPARE = "mini.item.compare-1"; // single choice, answer B, point mini.kp.fraction-compare
const UNIT = "mini.item.unit-fraction-1"; // numeric, answer 4, point mini.kp.unit-fraction
const ADD_LIKE = "mini.tpl.add-like.3"; // single choice, answer B; option A reveals mini.mis.add-across
let dir: string;
let runtime: Runtime;

async function open(dataDir: string, metrics?: Parameters<typeof openRuntime>[2]): Promise<Runtime> {
  return openRuntime(loadConfig({ PATHWISE_DATA_DIR: dataDir, PATHWISE_SEED_PATH: "tests/fixtures/curriculum/mini" }), quiet, {
    seed: true,
    ...metrics,
  });
}

async function addStudents(rt: Runtime, ...ids: string[]): Promise<void> {
  await rt.store.learners.applyRoster({
    school: { id: "school-a" },
    // Grade 3, the mini curriculum's first: a later grade would be assumed to know its points (placement).
    classes: [{ id: "school-a:7A", name: "7A", grade: 3 }],
    teachers: [],
    students: ids.map((id) => ({ id })),
    enrolments: ids.map((studentId) => ({ classId: "school-a:7A", studentId })),
    teaching: [],
  });
}

/** Replays a student's attempts in recorded order with online.ts: the mastery a correct implementation must end with. */
function replay(
  attempts: AttemptRecord[],
  parameters: Record<string, { prior: number; learn: number; forget: number; slip: number; guess: number }>,
) {
  const mastery = new Map<string, number>();
  for (const attempt of [...attempts].sort((a, b) => a.sequence - b.sequence)) {
    for (const change of attempt.mastery) {
      const p = parameters[change.knowledgePointId] ?? DEFAULT_PARAMETERS;
      const before = mastery.get(change.knowledgePointId) ?? p.prior;
      mastery.set(change.knowledgePointId, updateMastery(before, attempt.correct, p));
    }
  }
  return mastery;
}

async function allAttempts(rt: Runtime, studentId: string): Promise<AttemptRecord[]> {
  return (await rt.store.learners.attemptHistory(studentId, { limit: 10_000 })).nodes;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "pathwise-learning-"));
  runtime = await open(dir);
  await addStudents(runtime, "s-1", "s-2");
});

afterEach(async () => {
  await runtime.close();
});

describe("LearningService.submitAnswer", () => {
  it("grades on the server and updates mastery with the current fitted parameters (online.ts numbers)", async () => {
    const fitted = pointParameters("mini.kp.fraction-compare", 0.3, { learn: 0.2, slip: 0.1, guess: 0.25 });
    const saved = await runtime.masteryModel.publish(parameterSet([fitted]));

    const right = await runtime.learning.submitAnswer({
      studentId: "s-1",
      itemId: COMPARE,
      response: { kind: "options", optionIds: ["B"] },
      idempotencyKey: "k-1",
      responseTimeMs: 3100,
    });
    const after1 = updateMastery(0.3, true, fitted);
    expect(right).toEqual({
      attemptId: expect.stringMatching(/^att-/),
      correct: true,
      misconceptionIds: [],
      mastery: [{ knowledgePointId: "mini.kp.fraction-compare", before: 0.3, after: after1, state: "learning" }],
      predictedCorrect: predictCorrect(0.3, fitted),
      sequence: 1,
      replayed: false,
    });

    const wrong = await runtime.learning.submitAnswer({
      studentId: "s-1",
      itemId: COMPARE,
      response: { kind: "options", optionIds: ["A"] },
      idempotencyKey: "k-2",
    });
    expect(wrong.correct).toBe(false);
    expect(wrong.mastery[0]).toMatchObject({ before: after1, after: updateMastery(after1, false, fitted) });
    expect(wrong.predictedCorrect).toBeCloseTo(predictCorrect(after1, fitted), 15);

    // A point never fitted uses the defaults; a wrong option reveals its misconception.
    const revealing = await runtime.learning.submitAnswer({
      studentId: "s-1",
      itemId: ADD_LIKE,
      response: { kind: "options", optionIds: ["A"] },
      idempotencyKey: "k-3",
    });
    expect(revealing).toMatchObject({ correct: false, misconceptionIds: ["mini.mis.add-across"] });
    expect(revealing.mastery[0]?.after).toBe(updateMastery(DEFAULT_PARAMETERS.prior, false, DEFAULT_PARAMETERS));

    const [compare, addLike] = await runtime.learning.studentMastery("s-1", ["mini.kp.fraction-compare", "mini.kp.add-like"]);
    expect(compare).toMatchObject({
      probability: wrong.mastery[0]?.after,
      attempts: 2,
      correct: 1,
      parameterSetId: saved.set.id,
      state: "learning",
    });
    expect(addLike?.parameterSetId).toBeUndefined();
    const [untouched] = await runtime.learning.studentMastery("s-1", ["mini.kp.unit-fraction"]);
    expect(untouched).toEqual({
      knowledgePointId: "mini.kp.unit-fraction",
      probability: 0.2,
      state: "not-started",
      attempts: 0,
      correct: 0,
    });
  });

  it("reaches mastered at P ≥ 0.95, and the states are documented thresholds", async () => {
    expect(MASTERED_THRESHOLD).toBe(0.95);
    expect([masteryState(0.99, 0), masteryState(0.5, 1), masteryState(0.95, 3)]).toEqual(["not-started", "learning", "mastered"]);
    let last = await runtime.learning.submitAnswer({
      studentId: "s-1",
      itemId: UNIT,
      response: { kind: "number", text: "4" },
      idempotencyKey: "m-0",
    });
    for (let i = 1; last.mastery[0]?.state !== "mastered"; i++) {
      expect(i).toBeLessThan(20);
      last = await runtime.learning.submitAnswer({
        studentId: "s-1",
        itemId: UNIT,
        response: { kind: "number", text: "4.0" },
        idempotencyKey: `m-${i}`,
      });
    }
    expect(last.mastery[0]?.after).toBeGreaterThanOrEqual(0.95);
  });

  it("updates every point of a multi-point item independently (updateIndependent), prediction weighted by the Q-matrix", () => {
    const params = (id: string, prior: number): MasteryParameters => ({ ...pointParameters(id, prior), source: "default" });
    const item = {
      id: "x",
      difficulty: 4,
      knowledgePoints: [
        { id: "p", weight: 1 },
        { id: "q", weight: 0.5 },
      ],
    };
    const update = masteryUpdate(item, [params("p", 0.3), params("q", 0.6)], false, [undefined, undefined]);
    expect(update.calibration).toBeUndefined();
    const out = new Float64Array(2);
    updateIndependent(
      [
        { mastery: 0.3, parameters: pointParameters("p", 0.3), weight: 1 },
        { mastery: 0.6, parameters: pointParameters("q", 0.6), weight: 0.5 },
      ],
      false,
      out,
    );
    expect(update.mastery.map((m) => m.after)).toEqual([out[0], out[1]]);
    const p = predictCorrect(0.3, pointParameters("p", 0.3));
    const q = predictCorrect(0.6, pointParameters("q", 0.6));
    expect(update.predictedCorrect).toBeCloseTo((p + 0.5 * q) / 1.5, 15);

    // With the Elo state: a wrong answer makes the item harder and the student weaker, by the
    // step of difficulty.ts from the prediction that adds both offsets to BKT's.
    const state = { itemOffset: 0.2, itemAttempts: 10, ability: -0.3, abilityAttempts: 4 };
    const calibrated = masteryUpdate(item, [params("p", 0.3), params("q", 0.6)], false, [undefined, undefined], state);
    const difficulty = coldStartDifficulty(4) + 0.2;
    const predicted = predictedSuccess(update.predictedCorrect, difficulty, -0.3);
    expect(calibrated.mastery).toEqual(update.mastery);
    expect(calibrated.calibration?.difficultyDelta).toBeCloseTo(eloStep(10) * predicted, 12);
    expect(calibrated.calibration?.abilityDelta).toBeCloseTo(-eloStep(4) * predicted, 12);
  });

  it("is idempotent: the same key and payload return the first result; a different payload is a CONFLICT", async () => {
    const input = {
      studentId: "s-1",
      itemId: COMPARE,
      response: { kind: "options" as const, optionIds: ["B"] },
      idempotencyKey: "retry-1",
    };
    const first = await runtime.learning.submitAnswer(input);
    const again = await runtime.learning.submitAnswer(input);
    expect(again).toEqual({ ...first, replayed: true });
    expect((await runtime.learning.studentMastery("s-1"))[0]?.attempts).toBe(1);
    expect((await allAttempts(runtime, "s-1")).length).toBe(1);

    await expect(runtime.learning.submitAnswer({ ...input, response: { kind: "options", optionIds: ["A"] } })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(runtime.learning.submitAnswer({ ...input, itemId: ADD_LIKE })).rejects.toBeInstanceOf(ConflictError);
    // The same key of another student is another answer.
    expect((await runtime.learning.submitAnswer({ ...input, studentId: "s-2" })).replayed).toBe(false);
    // Concurrent retries of one key: one records, the others replay it.
    const racing = await Promise.all(Array.from({ length: 5 }, () => runtime.learning.submitAnswer({ ...input, idempotencyKey: "race" })));
    expect(new Set(racing.map((r) => r.attemptId)).size).toBe(1);
    expect(racing.filter((r) => !r.replayed)).toHaveLength(1);
  });

  it("answers a retry from the stored attempt after its item changed so that the response no longer grades", async () => {
    const input = { studentId: "s-1", itemId: COMPARE, response: { kind: "options" as const, optionIds: ["B"] }, idempotencyKey: "k-1" };
    const first = await runtime.learning.submitAnswer(input);
    // A new curriculum version renames the item's right option B to D.
    const curriculum = mkdtempSync(join(tmpdir(), "pathwise-curriculum-"));
    cpSync("tests/fixtures/curriculum/mini", curriculum, { recursive: true });
    const file = join(curriculum, "fractions.yaml");
    const text = readFileSync(file, "utf8");
    const block = text.slice(text.indexOf("  - id: mini.item.compare-1"), text.indexOf("  - id: mini.item.unit-fraction-1"));
    writeFileSync(file, text.replace(block, block.replace("{ id: B,", "{ id: D,").replace("answer: B", "answer: D")));
    expect((await runtime.curriculum.importPath(curriculum)).wrote).toBe(true);

    expect(await runtime.learning.submitAnswer(input)).toEqual({ ...first, replayed: true });
    await expect(runtime.learning.submitAnswer({ ...input, response: { kind: "options", optionIds: ["D"] } })).rejects.toBeInstanceOf(
      ConflictError,
    );
    await expect(runtime.learning.submitAnswer({ ...input, idempotencyKey: "k-2" })).rejects.toBeInstanceOf(InvalidInputError);
    expect(
      (await runtime.learning.submitAnswer({ ...input, response: { kind: "options", optionIds: ["D"] }, idempotencyKey: "k-3" })).correct,
    ).toBe(true);
    expect((await allAttempts(runtime, "s-1")).length).toBe(2);
  });

  it("reports unknown ids and bad input as typed errors, writing nothing", async () => {
    const base = { studentId: "s-1", itemId: COMPARE, response: { kind: "options" as const, optionIds: ["B"] }, idempotencyKey: "e-1" };
    await expect(runtime.learning.submitAnswer({ ...base, itemId: "nope" })).rejects.toMatchObject({
      name: "NotFoundError",
      entity: "item",
    });
    await expect(runtime.learning.submitAnswer({ ...base, studentId: "nobody" })).rejects.toMatchObject({
      name: "NotFoundError",
      entity: "student",
    });
    const wrongOption = await runtime.learning.submitAnswer({ ...base, response: { kind: "options", optionIds: ["Z"] } }).catch((e) => e);
    expect(wrongOption).toBeInstanceOf(InvalidInputError);
    expect(wrongOption.field).toBe("response.optionIds");
    await expect(runtime.learning.submitAnswer({ ...base, response: { kind: "number", text: "4" } })).rejects.toMatchObject({
      field: "response",
    });
    await expect(runtime.learning.submitAnswer({ ...base, idempotencyKey: "" })).rejects.toMatchObject({ field: "idempotencyKey" });
    await expect(runtime.learning.submitAnswer({ ...base, answeredAt: "yesterday" })).rejects.toMatchObject({ field: "answeredAt" });
    await expect(runtime.learning.submitAnswer({ ...base, responseTimeMs: -1 })).rejects.toMatchObject({ field: "responseTimeMs" });
    await expect(runtime.learning.attemptHistory("nobody", { limit: 5 })).rejects.toBeInstanceOf(NotFoundError);
    expect((await allAttempts(runtime, "s-1")).length).toBe(0);
  });

  it("is durable: after reopening the database the attempt and the mastery are there", async () => {
    const result = await runtime.learning.submitAnswer({
      studentId: "s-1",
      itemId: UNIT,
      response: { kind: "number", text: "4" },
      idempotencyKey: "d-1",
      answeredAt: "2026-05-01T09:00:00+08:00",
    });
    await runtime.close();
    runtime = await open(dir);
    const [attempt] = await runtime.store.learners.getAttempts([result.attemptId]);
    expect(attempt).toMatchObject({ studentId: "s-1", itemId: UNIT, correct: true, answeredAt: "2026-05-01T01:00:00.000Z", sequence: 1 });
    expect((await runtime.learning.studentMastery("s-1"))[0]).toMatchObject({
      knowledgePointId: "mini.kp.unit-fraction",
      probability: result.mastery[0]?.after,
      attempts: 1,
      lastPractisedAt: "2026-05-01T01:00:00.000Z",
    });
    // A retry after the restart still gets the first result.
    expect(
      await runtime.learning.submitAnswer({
        studentId: "s-1",
        itemId: UNIT,
        response: { kind: "number", text: "4" },
        idempotencyKey: "d-1",
        answeredAt: "2026-05-01T01:00:00Z",
      }),
    ).toEqual({ ...result, replayed: true });
  });

  it("writes nothing when the transaction fails midway (the mastery write throws)", async () => {
    const store = runtime.store as unknown as { db: import("better-sqlite3").Database };
    // Poison the mastery table so that the upsert fails after the attempt row is inserted.
    store.db.exec(
      "CREATE TRIGGER poison BEFORE INSERT ON mastery WHEN NEW.knowledge_point_id = 'mini.kp.unit-fraction' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END",
    );
    await expect(
      runtime.learning.submitAnswer({ studentId: "s-1", itemId: UNIT, response: { kind: "number", text: "4" }, idempotencyKey: "f-1" }),
    ).rejects.toThrow(/disk on fire/);
    expect(await allAttempts(runtime, "s-1")).toEqual([]);
    expect(await runtime.store.learners.studentMastery("s-1")).toEqual([]);
    store.db.exec("DROP TRIGGER poison");
    const ok = await runtime.learning.submitAnswer({
      studentId: "s-1",
      itemId: UNIT,
      response: { kind: "number", text: "4" },
      idempotencyKey: "f-1",
    });
    expect(ok).toMatchObject({ sequence: 1, replayed: false });
  });

  it("loses no update under 50 concurrent answers of one student: mastery equals sequential application in recorded order", async () => {
    const fitted = pointParameters("mini.kp.fraction-compare", 0.25, { learn: 0.1, slip: 0.15, guess: 0.2 });
    await runtime.masteryModel.publish(parameterSet([fitted]));
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        runtime.learning.submitAnswer({
          studentId: "s-1",
          itemId: i % 5 === 0 ? UNIT : COMPARE,
          response: i % 5 === 0 ? { kind: "number", text: "4" } : { kind: "options", optionIds: [i % 3 === 0 ? "A" : "B"] },
          idempotencyKey: `c-${i}`,
        }),
      ),
    );
    expect(new Set(results.map((r) => r.sequence)).size).toBe(50);
    const attempts = await allAttempts(runtime, "s-1");
    expect(attempts).toHaveLength(50);
    expect(attempts.map((a) => a.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const expected = replay(attempts, { "mini.kp.fraction-compare": fitted });
    const mastery = await runtime.store.learners.studentMastery("s-1");
    for (const row of mastery) expect(row.probability).toBeCloseTo(expected.get(row.knowledgePointId) as number, 12);
    expect(mastery.reduce((sum, row) => sum + row.attempts, 0)).toBe(50);
    // Each attempt's "before" is the previous attempt's "after" on the same point: no read saw a stale value.
    const byPoint = new Map<string, number>();
    for (const attempt of [...attempts].sort((a, b) => a.sequence - b.sequence)) {
      const change = attempt.mastery[0] as AttemptRecord["mastery"][number];
      if (byPoint.has(change.knowledgePointId)) expect(change.before).toBe(byPoint.get(change.knowledgePointId));
      byPoint.set(change.knowledgePointId, change.after);
    }
  });

  it("loses no update when two OS processes write answers of one student to the same SQLite file", async () => {
    await runtime.close();
    const run = (prefix: string) =>
      new Promise<string>((resolve, reject) => {
        const child = spawn(process.execPath, ["--import", "tsx", "tests/services/answer-loop.ts", dir, "s-1", prefix, "40"], {
          stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
        });
        child.once("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`child exited with ${code}`))));
      });
    const outputs = await Promise.all([run("p1"), run("p2")]);
    expect(outputs).toEqual(["done 40\n", "done 40\n"]);
    runtime = await open(dir);
    const attempts = await allAttempts(runtime, "s-1");
    expect(attempts).toHaveLength(80);
    expect(attempts.map((a) => a.sequence).sort((a, b) => a - b)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
    const expected = replay(attempts, {});
    for (const row of await runtime.store.learners.studentMastery("s-1")) {
      expect(row.probability).toBeCloseTo(expected.get(row.knowledgePointId) as number, 12);
      expect(row.attempts).toBe(40);
    }
  });

  it("reports answersRecorded and bktUpdateSeconds through the optional hook, not for replays", async () => {
    await runtime.close();
    const hook = { answersRecorded: vi.fn(), bktUpdateSeconds: vi.fn() };
    runtime = await open(dir, { learningMetrics: hook });
    const input = { studentId: "s-1", itemId: UNIT, response: { kind: "number" as const, text: "4" }, idempotencyKey: "h-1" };
    await runtime.learning.submitAnswer(input);
    await runtime.learning.submitAnswer(input);
    expect(hook.answersRecorded).toHaveBeenCalledTimes(1);
    expect(hook.answersRecorded).toHaveBeenCalledWith(1);
    expect(hook.bktUpdateSeconds).toHaveBeenCalledTimes(1);
    expect(hook.bktUpdateSeconds.mock.calls[0]?.[0]).toBeGreaterThan(0);
  });

  it("reads a class mastery matrix with states", async () => {
    await runtime.learning.submitAnswer({ studentId: "s-2", itemId: UNIT, response: { kind: "number", text: "4" }, idempotencyKey: "x" });
    const matrix = await runtime.learning.classMastery("school-a:7A");
    expect(matrix.studentIds).toEqual(["s-1", "s-2"]);
    expect(matrix.cells).toEqual([
      expect.objectContaining({ studentId: "s-2", knowledgePointId: "mini.kp.unit-fraction", state: "learning", attempts: 1 }),
    ]);
    await expect(runtime.learning.classMastery("nope")).rejects.toBeInstanceOf(NotFoundError);
  });
});
