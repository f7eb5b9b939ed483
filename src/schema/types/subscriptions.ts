/**
 * Subscriptions, served over Server-Sent Events (yoga's default: send the operation with
 * `accept: text/event-stream`). Each is authorized once, when it is created (`authorizeOnSubscribe`
 * in builder.ts): an unauthorized subscription is answered with a single FORBIDDEN (or
 * UNAUTHENTICATED) result and no stream. The events come from the server's in-process bus
 * (src/services/learning-events.ts): per process, see docs/learning.md, "Events".
 */

import type { JobProgressEvent, MasteryChangedEvent } from "../../services/learning-events.js";
import { JOB_STATES } from "../../services/learning-events.js";
import { type ScopeMap, studentData } from "../auth/scopes.js";
import { isAuthenticated } from "../auth/viewer.js";
import { builder } from "../builder.js";
import { MasteryChangeRef, type StudentMasteryChange } from "./learner.js";

/** Job progress is for the admins of the school that owns the job (the roles that may start one). */
export function jobReaders(schoolId: string): ScopeMap {
  return { $all: { admin: true, sameSchool: schoolId } };
}

export const MasteryChangedEventRef = builder.objectRef<MasteryChangedEvent>("MasteryChangedEvent").implement({
  description: "A newly recorded answer of a student (sent after it committed; never for a replayed answer).",
  authScopes: (event) => studentData(event.studentId),
  fields: (t) => ({
    studentId: t.exposeID("studentId"),
    attemptId: t.exposeID("attemptId"),
    itemId: t.exposeID("itemId"),
    correct: t.exposeBoolean("correct", { description: "Graded by the server from the item's answer key." }),
    changes: t.field({
      type: [MasteryChangeRef],
      description: "Mastery before → after for every knowledge point the item assesses.",
      resolve: (event) => event.changes.map((change): StudentMasteryChange => ({ studentId: event.studentId, ...change })),
    }),
  }),
});

export const JobStateEnum = builder.enumType("JobState", {
  values: JOB_STATES,
  description: "QUEUED: accepted, not started; RUNNING: working; COMPLETED: done; FAILED: stopped, see `message`.",
});

export const JobProgressRef = builder.objectRef<JobProgressEvent>("JobProgress").implement({
  description: "Progress of a background job (docs/jobs.md): attempt and curriculum imports, BKT refits, lesson plans.",
  authScopes: (event) => jobReaders(event.schoolId),
  fields: (t) => ({
    jobId: t.exposeID("jobId"),
    state: t.field({ type: JobStateEnum, resolve: (event) => event.state }),
    processed: t.exposeInt("processed", { description: "Rows (or units of work) done so far." }),
    total: t.exposeInt("total", { description: "Rows (or units of work) in all, as far as known." }),
    message: t.exposeString("message", { nullable: true }),
  }),
});

builder.subscriptionType({
  fields: (t) => ({
    masteryChanged: t.field({
      type: MasteryChangedEventRef,
      description:
        "Every newly recorded answer of student `studentId` and what it did to their mastery. Who may subscribe is who may read `student(id)`: the student themself, a teacher of one of their classes, an admin of their school (never analysts); anyone else gets FORBIDDEN.",
      args: { studentId: t.arg.id({ required: true }) },
      authScopes: (_root, args) => studentData(String(args.studentId)),
      subscribe: (_root, args, ctx) => ctx.events.subscribeMasteryChanged(String(args.studentId)),
      resolve: (event) => event,
    }),
    jobProgress: t.field({
      type: JobProgressRef,
      description:
        "Progress of your school's job `jobId`, for admins. The job's last state comes first when it has already started (a finished job's stream ends right after it); you may subscribe before starting the job (choose its `jobId` yourself). Job ids are per school: another school's job of the same id is never seen.",
      args: { jobId: t.arg.id({ required: true }) },
      authScopes: { admin: true },
      subscribe: (_root, args, ctx) => {
        if (!isAuthenticated(ctx.viewer)) throw new Error("unreachable: jobProgress needs a token");
        return ctx.events.subscribeJobProgress(ctx.viewer.schoolId, String(args.jobId));
      },
      resolve: (event) => event,
    }),
  }),
});
