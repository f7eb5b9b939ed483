/**
 * Learners for the server tests, created the way a school creates them: a roster CSV imported by
 * the roster service (src/services/roster.ts) into the data directory the server will open.
 *
 * school-a: class 7A (teacher t-a1; students s-a1 … s-a6, s-a1 named "Wang Fang"),
 *           class 7B (teacher t-a2; student s-a7).
 * school-b: class 7A (teacher t-b1; student s-b1).
 * Admins and analysts have no roster record: their token's role and school are all there is.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEV_JWT_SECRET } from "../../../src/config.js";
import { SqliteStore } from "../../../src/graph/sqlite/sqlite-store.js";
import { importRoster } from "../../../src/services/roster.js";
import { newDataDir } from "../../support/server-process.js";
import { type Role, sign } from "./tokens.js";

export const SCHOOL_A = "school-a";
export const SCHOOL_B = "school-b";
export const CLASS_A = "school-a:7A";
export const CLASS_A2 = "school-a:7B";
export const CLASS_B = "school-b:7A";

/**
 * Grade 3, the first grade of the mini curriculum: a class of a later grade would be assumed to
 * know its points already (placement, src/services/placement.ts).
 */
const ROSTERS: Record<string, string> = {
  [SCHOOL_A]: `class,grade,student_id,display_name,teacher_id
7A,3,s-a1,Wang Fang,t-a1
7A,3,s-a2,,t-a1
7A,3,s-a3,,
7A,3,s-a4,,
7A,3,s-a5,,
7A,3,s-a6,,
7B,3,s-a7,,t-a2
`,
  [SCHOOL_B]: `class,grade,student_id,display_name,teacher_id
7A,3,s-b1,Li Wei,t-b1
`,
};

/** A data directory holding both schools' rosters, for `startServer({ dataDir })`. */
export async function dataDirWithLearners(): Promise<string> {
  const dataDir = newDataDir();
  const store = new SqliteStore({ file: join(dataDir, "pathwise.sqlite") });
  try {
    await store.migrate();
    const dir = mkdtempSync(join(tmpdir(), "pathwise-roster-"));
    for (const [schoolId, csv] of Object.entries(ROSTERS)) {
      const file = join(dir, `${schoolId}.csv`);
      writeFileSync(file, csv);
      await importRoster(store, file, { schoolId, subjectId: "mini" });
    }
  } finally {
    await store.close();
  }
  return dataDir;
}

/** A development-mode token (the server's built-in development secret). */
export function tokenFor(role: Role, sub: string, school: string): Promise<string> {
  return sign(DEV_JWT_SECRET, { sub, role, school });
}
