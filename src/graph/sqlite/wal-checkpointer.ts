/**
 * WAL checkpoints on a worker thread, for long-running processes (the server, job workers).
 *
 * By default SQLite checkpoints inside the commit that pushes the WAL past 1,000 pages: that
 * commit copies the pages into the database file and syncs it, on the event loop, while every
 * request in flight waits. Under the API benchmark this made one commit in fifteen take 5–40 ms
 * instead of 2 ms, and those stalls were the answer path's p99. Here a second connection on its
 * own thread runs PASSIVE checkpoints (they never block the writer or readers) every
 * `intervalMs`. A write transaction that begins after a checkpoint has copied the whole WAL starts
 * the WAL over; under a steady load some checkpoint finishes between two group commits (the API
 * benchmark's WAL went back to its start every few seconds). If none did for long, the backstop
 * below is SQLite's own behaviour: the committing connection checkpoints everything itself.
 *
 * The serving connection keeps a high automatic threshold as a backstop (the WAL cannot grow
 * without bound if this thread falls behind), and goes back to SQLite's default if the thread
 * dies. Durability is unchanged: a commit is synced before it is acknowledged (synchronous=FULL,
 * or WalSync for answers).
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type Database from "better-sqlite3";

export interface WalCheckpointerOptions {
  /** How often the thread checkpoints. Default 200 ms. */
  intervalMs?: number;
  /** The serving connection's own checkpoint threshold meanwhile, in pages (4 KiB). Default 16,384 (64 MiB of WAL). */
  backstopPages?: number;
}

/** SQLite's default automatic checkpoint threshold, restored if the thread stops. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

// Plain JavaScript evaluated in the worker (no build step, the same in dist/ and under tsx).
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma("synchronous = FULL");
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)");
  } catch {
    // A checkpoint that fails (an I/O error) is tried again on the next tick.
  }
}, workerData.intervalMs);
parentPort.on("message", () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export class WalCheckpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;

  constructor(db: Database.Database, options: WalCheckpointerOptions = {}) {
    db.pragma(`wal_autocheckpoint = ${options.backstopPages ?? 16_384}`);
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve("better-sqlite3"),
        file: db.name,
        intervalMs: options.intervalMs ?? 200,
      },
    });
    this.worker.unref();
    this.exited = new Promise((resolve) => {
      this.worker.once("exit", () => {
        if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
        resolve();
      });
    });
    // An error ends the thread; the exit handler above hands checkpoints back to the connection.
    this.worker.on("error", () => {});
  }

  /** Stops the thread after its current checkpoint; the connection checkpoints by itself again. */
  async stop(): Promise<void> {
    // Unreferenced so that it never keeps a process alive; while stopping, the caller waits for it.
    this.worker.ref();
    this.worker.postMessage("stop");
    await this.exited;
  }
}
