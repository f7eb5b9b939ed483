import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { curriculumJsonSchema } from "../../src/curriculum/json-schema.js";
import { copyOfMini } from "../graph/store-contract.js";

function pathwise(...args: string[]) {
  const result = spawnSync(process.execPath, ["bin/pathwise.js", ...args], { encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const tempDir = () => mkdtempSync(join(tmpdir(), "pathwise-cli-"));

describe("pathwise CLI", () => {
  it("lists its commands", () => {
    const { status, stdout } = pathwise("--help");
    expect(status).toBe(0);
    for (const command of ["serve", "curriculum", "graphql-schema"]) expect(stdout).toContain(command);
    expect(pathwise("curriculum", "--help").stdout).toMatch(/validate[\s\S]*import[\s\S]*export[\s\S]*schema/);
  });

  it("validates: status 0 and a summary, or status 1 and every problem with its location", () => {
    const ok = pathwise("curriculum", "validate", "tests/fixtures/curriculum/mini");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/valid: mini — 5 knowledge points, 5 prerequisites, 12 items \(8 from 2 templates\)/);

    const broken = copyOfMini();
    const file = join(broken, "fractions.yaml");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("prerequisites: [mini.kp.unit-fraction]", "prerequisites: [mini.kp.add-unlike]"),
    );
    const bad = pathwise("curriculum", "validate", broken);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/fractions\.yaml:\d+:\d+ .*prerequisite cycle: .* → .*\(PREREQUISITE_CYCLE\)/);
    expect(pathwise("curriculum", "validate", "/no/such/dir").stderr).toMatch(/no such file or directory \(READ_ERROR\)/);
  });

  it("imports, reports, re-imports idempotently, dry-runs and exports a package that round-trips", () => {
    const dataDir = tempDir();
    const first = pathwise("curriculum", "import", "tests/fixtures/curriculum/mini", "--data-dir", dataDir);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/knowledgePoints\s+5\s+0\s+0\s+0/);
    expect(first.stdout).toMatch(/imported \(mini\)/);
    expect(pathwise("curriculum", "import", "tests/fixtures/curriculum/mini", "--data-dir", dataDir).stdout).toMatch(/already up to date/);

    const edited = copyOfMini();
    const file = join(edited, "fractions.yaml");
    writeFileSync(file, readFileSync(file, "utf8").replace("认识几分之一", "认识几分之一！"));
    const dry = pathwise("curriculum", "import", edited, "--data-dir", dataDir, "--dry-run");
    expect(dry.stdout).toMatch(/knowledgePoints\s+0\s+1\s+0\s+4/);
    expect(dry.stdout).toMatch(/dry run/);
    expect(pathwise("curriculum", "import", edited, "--data-dir", dataDir, "--dry-run").stdout).toMatch(/dry run/); // still not written

    const exportDir = tempDir();
    const exported = pathwise("curriculum", "export", exportDir, "--data-dir", dataDir);
    expect(exported.status).toBe(0);
    expect(exported.stdout).toMatch(/wrote 6 file/);
    expect(pathwise("curriculum", "import", join(exportDir, "mini"), "--data-dir", dataDir).stdout).toMatch(/already up to date/);

    const single = join(tempDir(), "mini.json");
    expect(pathwise("curriculum", "export", single, "--data-dir", dataDir, "--subject", "mini").status).toBe(0);
    expect(pathwise("curriculum", "import", single, "--data-dir", dataDir).stdout).toMatch(/already up to date/);
    expect(pathwise("curriculum", "export", single, "--data-dir", dataDir, "--subject", "ghost").stderr).toMatch(/unknown subject: ghost/);
  });

  it("rejects bad option values clearly", () => {
    const result = pathwise("serve", "--port", "eighty");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/a port is a whole number/);
  });
});

describe("committed artifacts are current (run `npm run generate` after changing them)", () => {
  it("schema.graphql matches the code-first schema", () => {
    const printed = pathwise("graphql-schema");
    expect(printed.status).toBe(0);
    expect(readFileSync("schema.graphql", "utf8")).toBe(printed.stdout);
  });
  it("docs/curriculum.schema.json matches the format definition", () => {
    expect(JSON.parse(readFileSync("docs/curriculum.schema.json", "utf8"))).toEqual(curriculumJsonSchema());
  });
});
