import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config.js";
import { KnowledgeGraphIndex } from "../../src/graph/knowledge-graph-index.js";
import { createLogger } from "../../src/logger.js";
import { openRuntime } from "../../src/services/runtime.js";

const quiet = createLogger("silent");

function config() {
  const dataDir = mkdtempSync(join(tmpdir(), "pathwise-runtime-"));
  return loadConfig({ PATHWISE_DATA_DIR: dataDir, PATHWISE_SEED_PATH: "tests/fixtures/curriculum/mini" });
}

describe("openRuntime", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("builds the knowledge graph index once on first start, when it seeds the store", async () => {
    const build = vi.spyOn(KnowledgeGraphIndex, "build");
    const runtime = await openRuntime(config(), quiet, { seed: true });
    try {
      expect(build).toHaveBeenCalledTimes(1);
      expect(runtime.curriculum.index.pointCount).toBe(5);
      expect(await runtime.curriculum.refreshIfStale()).toBe(false);
    } finally {
      await runtime.close();
    }
  });

  it("builds it once on a later start, and once for an empty store without seeding", async () => {
    const settings = config();
    await (await openRuntime(settings, quiet, { seed: true })).close();
    const build = vi.spyOn(KnowledgeGraphIndex, "build");
    const again = await openRuntime(settings, quiet, { seed: true });
    expect(build).toHaveBeenCalledTimes(1);
    expect(again.curriculum.index.pointCount).toBe(5);
    await again.close();

    build.mockClear();
    const empty = await openRuntime(config(), quiet);
    expect(build).toHaveBeenCalledTimes(1);
    expect(empty.curriculum.index.pointCount).toBe(0);
    await empty.close();
  });
});
