/** The curriculum CLI logs at `warn` by default and follows LOG_LEVEL when it is set. */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

function pathwise(env: Record<string, string | undefined>, ...args: string[]) {
  const { LOG_LEVEL: _ignored, ...base } = process.env;
  const result = spawnSync(process.execPath, ["bin/pathwise.js", ...args], { encoding: "utf8", env: { ...base, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const logLines = (stderr: string) =>
  stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { level: number; msg: string });

describe("curriculum CLI log level", () => {
  it("stays at warn without LOG_LEVEL, so only command output is printed", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pathwise-cli-"));
    const result = pathwise({}, "curriculum", "import", "tests/fixtures/curriculum/mini", "--data-dir", dataDir);
    expect(result.status).toBe(0);
    expect(logLines(result.stderr)).toEqual([]);
  });

  it("follows LOG_LEVEL for import and export", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pathwise-cli-"));
    const imported = pathwise({ LOG_LEVEL: "info" }, "curriculum", "import", "tests/fixtures/curriculum/mini", "--data-dir", dataDir);
    expect(imported.status).toBe(0);
    expect(logLines(imported.stderr).map((l) => l.msg)).toContain("knowledge graph index built");
    expect(imported.stdout).toMatch(/imported \(mini\)/);

    const exported = pathwise(
      { LOG_LEVEL: "debug" },
      "curriculum",
      "export",
      mkdtempSync(join(tmpdir(), "pathwise-out-")),
      "--data-dir",
      dataDir,
    );
    expect(exported.status).toBe(0);
    expect(logLines(exported.stderr).map((l) => l.msg)).toContain("knowledge graph index built");
  });

  it("refuses an unknown LOG_LEVEL with an error naming it", () => {
    const result = pathwise({ LOG_LEVEL: "loud" }, "curriculum", "import", "tests/fixtures/curriculum/mini", "--dry-run");
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/pathwise: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"/);
  });

  it("refuses an out-of-range PORT with an error naming PORT", () => {
    const result = pathwise({ PORT: "70000" }, "serve");
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/pathwise: PORT must be a whole number from 0 to 65535, got "70000"/);
  });
});
