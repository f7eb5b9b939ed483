import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { validateCurriculumPath } from "../../src/curriculum/importer.js";
import { loadPackages } from "../../src/curriculum/load.js";
import { MANIFEST, point, unitWith, writePackage } from "../support/curriculum-files.js";

const fileNames = (path: string) =>
  loadPackages(path).packages.flatMap((pkg) => pkg.files.map((f) => f.file.replace(/\\/g, "/").split("/").slice(-2).join("/")));

describe("curriculum loader and symbolic links", () => {
  it("follows linked directories and files", async () => {
    const shared = mkdtempSync(join(tmpdir(), "pathwise-shared-"));
    mkdirSync(join(shared, "band"));
    writeFileSync(join(shared, "band", "units.yaml"), unitWith(point("t.a")));
    writeFileSync(join(shared, "more.yaml"), unitWith(point("t.b", ["t.a"]), "t.u2"));
    const root = writePackage({});
    symlinkSync(join(shared, "band"), join(root, "band"), "dir");
    symlinkSync(join(shared, "more.yaml"), join(root, "more.yaml"), "file");

    const validated = await validateCurriculumPath(root);
    expect(validated.data.knowledgePoints.map((k) => k.id).sort()).toEqual(["t.a", "t.b"]);
    expect(validated.warnings).toEqual([]);
  });

  it("reads each directory once when links form a cycle or point to the same place", () => {
    const root = writePackage({ "band/units.yaml": unitWith(point("t.a")) });
    symlinkSync(root, join(root, "band", "loop"), "dir"); // band/loop → the package itself
    symlinkSync(join(root, "band"), join(root, "again"), "dir"); // a second way into band/
    symlinkSync(join(root, "missing"), join(root, "dangling"), "dir");

    const { packages, issues } = loadPackages(root);
    expect(issues).toEqual([]);
    expect(packages).toHaveLength(1);
    const names = fileNames(root);
    expect(names).toHaveLength(2);
    expect(names.filter((name) => name.endsWith("/units.yaml"))).toHaveLength(1);
  });

  it("finds packages linked into a collection", async () => {
    const collection = mkdtempSync(join(tmpdir(), "pathwise-collection-"));
    symlinkSync(writePackage({ "units.yaml": unitWith(point("t.a")) }), join(collection, "t"), "dir");
    symlinkSync(collection, join(collection, "self"), "dir"); // no manifest there: not a package, and no endless walk

    const validated = await validateCurriculumPath(collection);
    expect(validated.subjectIds).toEqual(["t"]);
    expect(validated.data.knowledgePoints).toHaveLength(1);
  });
});

describe("a package without knowledge points", () => {
  it("validates with a warning instead of silently passing", async () => {
    const root = mkdtempSync(join(tmpdir(), "pathwise-empty-"));
    writeFileSync(join(root, "subject.yaml"), MANIFEST);
    writeFileSync(join(root, "notes.md"), "units live elsewhere\n");

    const validated = await validateCurriculumPath(root);
    expect(validated.data.knowledgePoints).toEqual([]);
    expect(validated.warnings).toEqual([
      expect.objectContaining({
        id: "t",
        file: expect.stringMatching(/subject\.yaml$/),
        message: expect.stringMatching(/no knowledge points/),
      }),
    ]);
  });
});
