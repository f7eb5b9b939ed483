/**
 * The embedded default store: one SQLite file under the data directory, opened with
 * better-sqlite3. WAL lets readers proceed during a write; synchronous=FULL makes every
 * acknowledged commit survive power loss, not only a process crash. Answers (recordAttempts) keep
 * that promise with a WAL sync off the event loop instead (WalSync).
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { KnowledgeGraphStore } from "../store.js";
import { MIGRATIONS } from "./migrations.js";
import { SqliteBktParameterStore } from "./sqlite-bkt-parameters.js";
import { SqliteCurriculumStore } from "./sqlite-curriculum.js";
import { SqliteLearnerStore } from "./sqlite-learners.js";
import { SqliteLessonPlanStore } from "./sqlite-lesson-plans.js";
import { WalCheckpointer, type WalCheckpointerOptions } from "./wal-checkpointer.js";
import { WalSync, type WalSyncOptions } from "./wal-sync.js";

export interface SqliteStoreOptions {
  /** Path of the database file; ":memory:" for a throw-away store. */
  file: string;
  /** How long a writer waits for another process's lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
  /**
   * Checkpoint the WAL on a worker thread instead of inside commits (long-running processes:
   * see WalCheckpointer). Default off: a short command's connection checkpoints as it closes.
   */
  backgroundCheckpoints?: boolean | WalCheckpointerOptions;
  /** How answer commits sync the WAL off the event loop (see WalSync); for tests. */
  walSync?: WalSyncOptions;
}

export class SqliteStore implements KnowledgeGraphStore {
  readonly backend = "sqlite" as const;
  readonly db: Database.Database;
  readonly curriculum: SqliteCurriculumStore;
  readonly bktParameters: SqliteBktParameterStore;
  readonly learners: SqliteLearnerStore;
  readonly lessonPlans: SqliteLessonPlanStore;
  private readonly checkpointer: WalCheckpointer | undefined;
  private readonly walSync: WalSync | undefined;

  constructor(options: SqliteStoreOptions) {
    const onDisk = options.file !== ":memory:";
    if (onDisk) mkdirSync(dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = FULL");
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    this.db.pragma("foreign_keys = ON");
    this.curriculum = new SqliteCurriculumStore(this.db);
    this.bktParameters = new SqliteBktParameterStore(this.db);
    // A throw-away database has nothing to make durable.
    this.walSync = onDisk ? new WalSync(`${this.db.name}-wal`, options.walSync) : undefined;
    this.learners = new SqliteLearnerStore(this.db, this.walSync);
    this.lessonPlans = new SqliteLessonPlanStore(this.db);
    const checkpoints = options.backgroundCheckpoints;
    if (checkpoints && onDisk) {
      this.checkpointer = new WalCheckpointer(this.db, checkpoints === true ? {} : checkpoints);
    }
  }

  async migrate(): Promise<void> {
    const current = this.db.pragma("user_version", { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`the database is at schema version ${current}, newer than this build knows (${MIGRATIONS.length}); upgrade Pathwise`);
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      this.db
        .transaction(() => {
          this.db.exec(MIGRATIONS[version] as string);
          this.db.pragma(`user_version = ${version + 1}`);
        })
        .immediate();
    }
  }

  async ping(): Promise<void> {
    this.db.prepare("SELECT 1").get();
  }

  async close(): Promise<void> {
    await this.walSync?.close();
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}
