/**
 * Adapts store look-ups to the schema.
 *
 * - `existing` serves Pothos loadable objects (curriculum types): with `sort` set, Pothos matches
 *   results to keys itself, so a loader returns just the entities that exist; an unknown key then
 *   resolves to null on a nullable field and to a NOT_FOUND error on a required one.
 * - `LearnerLoaders` (one per request, on the context) batches learner look-ups: every
 *   `students.load(id)` made in the same tick becomes one `getStudents(ids)` call. The auth scopes
 *   and the resolvers share it, so checking a student and then showing it reads the store once.
 */
import type { KnowledgeGraphStore, School, SchoolClass, Student, Teacher } from "../graph/store.js";
import { type AuthenticatedViewer, isAuthenticated, type Viewer } from "./auth/viewer.js";

export async function existing<T>(lookup: Promise<(T | undefined)[]>): Promise<T[]> {
  return (await lookup).filter((entity): entity is T => entity !== undefined);
}

/** A per-request batching cache over a `get*(ids)` store call (the DataLoader pattern, without the dependency). */
export class BatchLoader<T> {
  private readonly cache = new Map<string, Promise<T | undefined>>();
  private pending: { id: string; resolve: (value: T | undefined) => void; reject: (error: unknown) => void }[] = [];

  constructor(private readonly batch: (ids: readonly string[]) => Promise<(T | undefined)[]>) {}

  load(id: string): Promise<T | undefined> {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const promise = new Promise<T | undefined>((resolve, reject) => {
      if (this.pending.length === 0) process.nextTick(() => this.dispatch());
      this.pending.push({ id, resolve, reject });
    });
    this.cache.set(id, promise);
    return promise;
  }

  /** Forgets a cached entry (after this request changed it). */
  clear(id: string): void {
    this.cache.delete(id);
  }

  loadMany(ids: readonly string[]): Promise<(T | undefined)[]> {
    return Promise.all(ids.map((id) => this.load(id)));
  }

  private dispatch(): void {
    const batch = this.pending;
    this.pending = [];
    this.batch(batch.map((entry) => entry.id)).then(
      (found) => {
        batch.forEach((entry, i) => {
          entry.resolve(found[i]);
        });
      },
      (error: unknown) => {
        for (const entry of batch) {
          this.cache.delete(entry.id);
          entry.reject(error);
        }
      },
    );
  }
}

/** Learner look-ups for one request, and the viewer's relations that authorization needs (read from the store, never from the token). */
export class LearnerLoaders {
  readonly schools: BatchLoader<School>;
  readonly classes: BatchLoader<SchoolClass>;
  readonly teachers: BatchLoader<Teacher>;
  readonly students: BatchLoader<Student>;
  private taughtClasses?: Promise<ReadonlySet<string>>;
  private taughtStudents?: Promise<ReadonlySet<string>>;
  private readonly user: AuthenticatedViewer | undefined;

  constructor(
    private readonly store: KnowledgeGraphStore,
    viewer: Viewer,
  ) {
    this.user = isAuthenticated(viewer) ? viewer : undefined;
    this.schools = new BatchLoader((ids) => store.learners.getSchools(ids));
    this.classes = new BatchLoader((ids) => store.learners.getClasses(ids));
    this.teachers = new BatchLoader((ids) => store.learners.getTeachers(ids));
    this.students = new BatchLoader((ids) => store.learners.getStudents(ids));
  }

  /** The classes the viewer teaches (empty unless the viewer is a teacher known to the store in the token's school). */
  classesTaught(): Promise<ReadonlySet<string>> {
    this.taughtClasses ??= (async () => {
      const user = this.user;
      if (user?.role !== "teacher") return new Set<string>();
      const teacher = await this.teachers.load(user.subject);
      if (!teacher || teacher.schoolId !== user.schoolId) return new Set<string>();
      return new Set(await this.store.learners.classesOfTeacher(user.subject));
    })();
    return this.taughtClasses;
  }

  /** The students enrolled in any class the viewer teaches: one read per class taught, once per request. */
  studentsTaught(): Promise<ReadonlySet<string>> {
    this.taughtStudents ??= (async () => {
      const classes = [...(await this.classesTaught())];
      const enrolled = await Promise.all(classes.map((id) => this.store.learners.studentsOfClass(id)));
      return new Set(enrolled.flat());
    })();
    return this.taughtStudents;
  }
}
