import { spawn } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { importCurriculum, legacyContentHash, planChanges } from "../../src/curriculum/importer.js";
import { SqliteStore } from "../../src/graph/sqlite/sqlite-store.js";
import type { NewAttempt } from "../../src/graph/store.js";
import { MINI, storeContract } from "./store-contract.js";

/** A JSON curriculum with `points` points and `items` single-choice items, each on one or two points. */
function bulkCurriculum(points: number, items: number, variant = 0): string {
  const text = (s: string) => ({ zh: s, en: s });
  const file = join(mkdtempSync(join(tmpdir(), "pathwise-bulk-")), "bulk.json");
  const content = {
    format: "pathwise-curriculum/1",
    subject: { id: "bulk", name: text("Bulk") },
    stages: [{ id: "bulk.s", name: text("Stage"), grades: [1] }],
    domains: [{ code: "NA", name: text("Numbers") }],
    units: [
      {
        id: "bulk.u",
        name: text("Unit"),
        grade: 1,
        stage: "bulk.s",
        domain: "NA",
        order: 0,
        knowledgePoints: Array.from({ length: points }, (_, i) => ({
          id: `bulk.kp${i}`,
          name: text(`Point ${i}`),
          description: text(`Point ${i}`),
          standardCode: `NA.${i}`,
          prerequisites: i > 0 ? [`bulk.kp${i - 1}`] : [],
        })),
      },
    ],
    items: Array.from({ length: items }, (_, i) => ({
      id: `bulk.q${i}`,
      type: "single_choice",
      stem: text(`Question ${i}`),
      knowledgePoints: [`bulk.kp${(i + variant) % points}`, ...(i % 3 === variant % 3 ? [`bulk.kp${(i + variant + 1) % points}`] : [])],
      difficulty: 1 + (i % 5),
      options: [
        { id: "A", text: text("a") },
        { id: "B", text: text("b") },
      ],
      answer: "A",
    })),
  };
  writeFileSync(file, JSON.stringify(content));
  return file;
}

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), "pathwise-sqlite-")), "pathwise.sqlite");
}

async function openStore(file = tempFile()): Promise<SqliteStore> {
  const store = new SqliteStore({ file });
  await store.migrate();
  return store;
}

storeContract("SQLite", () => openStore());

describe("SQLite store", () => {
  it("keeps committed data across reopening the file", async () => {
    const file = tempFile();
    const first = await openStore(file);
    await importCurriculum(first, MINI);
    await first.close();
    const second = await openStore(file);
    expect(await second.curriculum.curriculumRevision()).toBe(1);
    expect(await second.curriculum.getKnowledgePoints(["mini.kp.add-like"])).toHaveLength(1);
    expect(second.db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(second.db.pragma("synchronous", { simple: true })).toBe(2); // FULL
    await second.close();
  });

  it("caches parsed curriculum documents until any connection imports, and hands them out frozen", async () => {
    const file = tempFile();
    const server = await openStore(file);
    await importCurriculum(server, bulkCurriculum(3, 4));
    const [first] = await server.curriculum.getItems(["bulk.q0"]);
    if (!first) throw new Error("bulk.q0 is in the curriculum");
    const [again] = await server.curriculum.getItems(["bulk.q0"]);
    expect(again).toBe(first); // parsed once
    expect(Object.isFrozen(first) && Object.isFrozen(first.knowledgePoints[0])).toBe(true);
    expect(() => {
      (first.knowledgePoints as unknown[]).push("x");
    }).toThrow(TypeError);
    // Another process (here another connection to the file) imports a change: the next read sees it.
    const cli = await openStore(file);
    await importCurriculum(cli, bulkCurriculum(3, 4, 1));
    await cli.close();
    const [changed] = await server.curriculum.getItems(["bulk.q0"]);
    expect(changed).not.toBe(first);
    expect(changed?.knowledgePoints.map((k) => k.id)).toEqual(["bulk.kp1"]);
    expect(first.knowledgePoints.map((k) => k.id)).toEqual(["bulk.kp0", "bulk.kp1"]);
    expect(await server.curriculum.getItems(["bulk.q0", "nope", "bulk.q1"])).toMatchObject([
      { id: "bulk.q0" },
      undefined,
      { id: "bulk.q1" },
    ]);
    await server.close();
  });

  it("checkpoints the WAL on a background thread when asked, and stops it on close", async () => {
    const file = tempFile();
    const store = new SqliteStore({ file, backgroundCheckpoints: { intervalMs: 20 } });
    await store.migrate();
    expect(store.db.pragma("wal_autocheckpoint", { simple: true })).toBe(16_384);
    // Shrink the WAL file whenever a commit starts it over, so that the size shows checkpoints.
    store.db.pragma("journal_size_limit = 0");
    await importCurriculum(store, bulkCurriculum(50, 2_000));
    const walBytes = () => statSync(`${file}-wal`).size;
    expect(walBytes()).toBeGreaterThan(1_000_000); // below the connection's own threshold: it did not checkpoint
    // Once the thread has copied the whole WAL back, the next write starts it over (a write that
    // changes something: a no-op commits no frame).
    const deadline = Date.now() + 10_000;
    let writes = 0;
    while (walBytes() > 100_000 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await store.learners.upsertSchool({ id: `s${++writes}` });
    }
    expect(walBytes()).toBeLessThan(100_000);
    await store.close();
    const reopened = await openStore(file);
    expect(await reopened.curriculum.getItems(["bulk.q1999"])).toMatchObject([{ id: "bulk.q1999" }]);
    expect(await reopened.learners.getSchools([`s${writes}`])).toMatchObject([{ id: `s${writes}` }]);
    await reopened.close();
  });

  it("acknowledges answers only after a WAL sync that started after their commit, off the event loop", async () => {
    const file = tempFile();
    const syncs: { release: () => void; fail: (error: Error) => void }[] = [];
    const store = new SqliteStore({
      file,
      walSync: { syncFile: () => new Promise<void>((release, fail) => syncs.push({ release, fail })) },
    });
    await store.migrate();
    await importCurriculum(store, MINI);
    await store.learners.applyRoster({
      school: { id: "s" },
      classes: [],
      teachers: [],
      students: [{ id: "st-1" }],
      enrolments: [],
      teaching: [],
    });
    const answer = (key: string): NewAttempt => ({
      studentId: "st-1",
      itemId: "mini.item.compare-1",
      response: { kind: "options", optionIds: ["B"] },
      correct: true,
      misconceptionIds: [],
      idempotencyKey: key,
      payloadHash: key,
      knowledgePointIds: ["mini.kp.fraction-compare"],
      update: () => ({
        predictedCorrect: 0.5,
        mastery: [{ knowledgePointId: "mini.kp.fraction-compare", before: 0.2, after: 0.6, predictedCorrect: 0.5 }],
      }),
    });
    const settled = (promise: Promise<unknown>) => {
      const state = { done: false };
      void promise.then(
        () => {
          state.done = true;
        },
        () => {
          state.done = true;
        },
      );
      return state;
    };
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const syncsStarted = async (n: number) => {
      for (let i = 0; i < 1000 && syncs.length < n; i++) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(syncs).toHaveLength(n);
    };
    const reader = new Database(file, { readonly: true });
    const committed = () => reader.prepare("SELECT count(*) FROM attempts").pluck().get();

    const first = store.learners.recordAttempts([answer("a-1")]);
    const firstState = settled(first);
    await syncsStarted(1);
    expect(committed()).toBe(1); // committed (visible to another connection) …
    expect(firstState.done).toBe(false); // … but not acknowledged before the sync
    expect(store.db.pragma("synchronous", { simple: true })).toBe(2); // other writes keep FULL

    // Committed while the first sync runs: it needs the next one.
    const second = store.learners.recordAttempts([answer("a-2")]);
    const secondState = settled(second);
    await tick();
    syncs[0]?.release();
    expect((await first)[0]?.status).toBe("recorded");
    await syncsStarted(2);
    expect(secondState.done).toBe(false);
    syncs[1]?.release();
    expect((await second)[0]?.status).toBe("recorded");

    // A failed sync fails the answers that waited for it (a retry with the key replays the attempt).
    const third = store.learners.recordAttempts([answer("a-3")]);
    await syncsStarted(3);
    syncs[2]?.fail(new Error("EIO"));
    await expect(third).rejects.toThrow("EIO");
    reader.close();
    await store.close();
  });

  it("applies a change set all-or-nothing when a write fails midway", async () => {
    const store = await openStore();
    await importCurriculum(store, MINI);
    const fingerprints = await store.curriculum.curriculumFingerprints();
    const { validateCurriculumPath } = await import("../../src/curriculum/importer.js");
    const validated = await validateCurriculumPath(MINI);
    // Rename a point, then poison a later kind so that its insert fails inside the transaction.
    const point = validated.data.knowledgePoints[0];
    if (!point) throw new Error("fixture has points");
    point.name = { zh: "改名", en: "Renamed" };
    const changes = planChanges(validated, fingerprints, new Date().toISOString());
    changes.upserts.items.push({
      key: "poison",
      subjectId: "mini",
      hash: "x",
      entity: { ...changes.upserts.knowledgePoints[0]?.entity, difficulty: "not a number" } as never,
      doc: "{}",
      isNew: true,
    });
    await expect(store.curriculum.applyCurriculumChanges(changes)).rejects.toThrow();
    expect((await store.curriculum.getKnowledgePoints([point.id]))[0]?.name.en).not.toBe("Renamed");
    expect(await store.curriculum.curriculumRevision()).toBe(1);
    await store.close();
  });

  it("writes a large import in batches, replaces link rows when items change, and restores the page cache size", async () => {
    const store = await openStore();
    const cacheSize = store.db.pragma("cache_size", { simple: true });
    const first = await importCurriculum(store, bulkCurriculum(300, 10_000));
    expect(first.added.items).toBe(10_000);
    const links = () => store.db.prepare("SELECT item_id, knowledge_point_id FROM item_knowledge_points ORDER BY 1, 2").raw().all();
    const expected = (await store.curriculum.exportCurriculum()).items.flatMap((i) => i.knowledgePoints.map((k) => [i.id, k.id]));
    expect(links()).toEqual(expected.sort());
    expect(store.db.pragma("cache_size", { simple: true })).toBe(cacheSize);
    // Items keep their file order (rowids) in export.
    expect((await store.curriculum.exportCurriculum()).items.map((i) => i.id).slice(0, 3)).toEqual(["bulk.q0", "bulk.q1", "bulk.q2"]);

    const second = await importCurriculum(store, bulkCurriculum(300, 9_990, 1));
    expect(second.changed.items).toBe(9_990);
    expect(second.removed.items).toBe(10);
    const after = (await store.curriculum.exportCurriculum()).items.flatMap((i) => i.knowledgePoints.map((k) => [i.id, k.id]));
    expect(links()).toEqual(after.sort());
    expect((await importCurriculum(store, bulkCurriculum(300, 9_990, 1))).changeCount).toBe(0);
    await store.close();
  });

  it("recognises content hashes stored by earlier versions, so re-importing after an upgrade writes nothing", async () => {
    const store = await openStore();
    await importCurriculum(store, MINI);
    for (const table of ["knowledge_points", "items", "prerequisites", "units", "subjects"]) {
      const rows = store.db.prepare(`SELECT key, doc FROM ${table}`).raw().all() as [string, string][];
      const update = store.db.prepare(`UPDATE ${table} SET hash = ? WHERE key = ?`);
      for (const [key, doc] of rows) update.run(legacyContentHash(doc), key);
    }
    const again = await importCurriculum(store, MINI);
    expect(again.changeCount).toBe(0);
    expect(again.wrote).toBe(false);
    expect(await store.curriculum.curriculumRevision()).toBe(1);
    await store.close();
  });

  it("refuses a database written by a newer schema", async () => {
    const file = tempFile();
    const store = await openStore(file);
    store.db.pragma("user_version = 999");
    await store.close();
    await expect(openStore(file)).rejects.toThrow(/newer than this build/);
  });

  it("survives kill -9 during imports with every committed import intact", async () => {
    const file = tempFile();
    await (await openStore(file)).close();
    // A child process re-imports edited curricula in a loop and reports each committed revision.
    const child = spawn(process.execPath, ["--import", "tsx", "tests/support/import-loop.ts", file, MINI], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let committed = 0;
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (chunk: Buffer) => {
        for (const line of chunk.toString().trim().split("\n")) committed = Math.max(committed, Number(line));
        if (committed >= 5) {
          child.kill("SIGKILL");
          resolve();
        }
      });
    });
    await new Promise((resolve) => child.once("exit", resolve));
    const store = await openStore(file);
    expect(store.db.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(await store.curriculum.curriculumRevision()).toBeGreaterThanOrEqual(committed);
    expect((await store.curriculum.listSubjects()).map((s) => s.id)).toEqual(["mini"]);
    await store.close();
  });
});
