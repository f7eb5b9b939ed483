/**
 * Makes answer commits durable without blocking the event loop on the disk.
 *
 * With synchronous=FULL, SQLite syncs the WAL inside COMMIT: 1.5–2 ms per group commit on this
 * machine's disk, during which the server runs nothing else. recordAttempts instead commits with
 * synchronous=NORMAL (the frames are written to the WAL, not yet synced) and then waits for
 * `flush()`: an fdatasync of the WAL file on libuv's thread pool, started after that commit.
 * Only then is the answer acknowledged, so the promise is the same as FULL's: an acknowledged
 * answer survives power loss. It holds because fsync flushes every dirty page of the file, by
 * whichever descriptor it was written; and because frames of the WAL are only overwritten after
 * a checkpoint has copied them into the database file and synced it (SQLite does that in NORMAL
 * mode too). A transaction whose sync had not finished at a power cut was never acknowledged;
 * SQLite's WAL checksums drop it whole on recovery. Waiters that arrive while a sync runs share
 * the next one, so a burst of group commits costs a couple of syncs.
 */
import { type FileHandle, open } from "node:fs/promises";

export interface WalSyncOptions {
  /** Syncs the open WAL file. Default: fdatasync (the file's data and the size that reads need). */
  syncFile?: (file: FileHandle) => Promise<void>;
}

interface Waiter {
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class WalSync {
  private file: Promise<FileHandle> | undefined;
  private waiting: Waiter[] = [];
  private running = false;
  private closed = false;
  private readonly syncFile: (file: FileHandle) => Promise<void>;

  /** `walPath`: the database file's name with `-wal` (it exists while a connection is open in WAL mode). */
  constructor(
    private readonly walPath: string,
    options: WalSyncOptions = {},
  ) {
    this.syncFile = options.syncFile ?? ((file) => file.datasync());
  }

  /** Resolves once a sync of the WAL that started after this call has completed. */
  flush(): Promise<void> {
    if (this.closed) return Promise.reject(new Error("the store is closed"));
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        await this.syncFile(await this.handle());
        for (const waiter of batch) waiter.resolve();
      } catch (error) {
        for (const waiter of batch) waiter.reject(error);
      }
    }
    this.running = false;
  }

  /** The WAL file, opened once; a failed open is retried by the next sync. */
  private handle(): Promise<FileHandle> {
    if (!this.file) {
      const opening = open(this.walPath, "r");
      this.file = opening;
      opening.catch(() => {
        if (this.file === opening) this.file = undefined;
      });
    }
    return this.file;
  }

  /** Waits for the syncs asked for so far, then closes the file. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.running) await new Promise<void>((resolve) => this.waiting.push({ resolve, reject: () => resolve() }));
    const file = this.file;
    this.file = undefined;
    await file?.then(
      (handle) => handle.close(),
      () => undefined,
    );
  }
}
