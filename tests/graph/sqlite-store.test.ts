import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importCurriculum, planChanges } from "../../src/curriculum/importer.js";
import { SqliteStore } from "../../src/graph/sqlite/sqlite-store.js";
import { MINI, storeContract } from "./store-contract.js";

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
