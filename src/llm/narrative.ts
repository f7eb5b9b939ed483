/**
 * The interface between a lesson plan's deterministic skeleton and its narrative text.
 *
 * `NarrativeRequest` is what the skeleton hands over: objectives, tiers with their review
 * points, items, misconceptions and timing, linked resources, and prioritized context chunks.
 * It is aggregate by construction: class and tier sizes, never a roster, and the schema is
 * strict, so an unexpected field (a student list, say) is rejected rather than passed on.
 *
 * `LessonNarrative` is what comes back: an overview, the whole-class opening, per tier the
 * activities with minutes, explanations, questions to ask, how to meet each misconception and
 * differentiation notes, and the closing. Every prose field is `GeneratedText`.
 */
import { z } from "zod";
import type { GeneratedText } from "./governance.js";

export const NARRATIVE_LANGUAGES = ["zh", "en"] as const;
export type NarrativeLanguage = (typeof NARRATIVE_LANGUAGES)[number];

const text = (max = 2000) => z.string().trim().min(1).max(max);

/** An item as the narrative sees it: its stem in the plan's language and the point it practises. */
export const narrativeItemSchema = z.strictObject({
  stem: text(),
  pointName: text(200),
});

export const narrativeMisconceptionSchema = z.strictObject({
  /** Curriculum id of the misconception (not a person): the narrative refers back to it. */
  id: text(200),
  name: text(200),
  description: text(),
  /** The curriculum's suggested remedy, when it has one. */
  remedy: text().optional(),
  /** How many students of the tier showed it recently: an aggregate count. */
  studentsShowing: z.number().int().min(0).optional(),
});

export const narrativeTierSchema = z.strictObject({
  id: text(100),
  /** e.g. "巩固组" / "Consolidation". */
  label: text(100),
  /** How students were placed here, e.g. "mastery of the targets below 0.4". */
  criteria: text(500),
  size: z.number().int().min(0),
  /** Prerequisite points to review first, by name. */
  prerequisiteReview: z.array(text(200)),
  workedExamples: z.array(narrativeItemSchema),
  practiceItems: z.array(narrativeItemSchema),
  misconceptions: z.array(narrativeMisconceptionSchema),
  exitTicket: z.array(narrativeItemSchema),
  homework: z.array(narrativeItemSchema),
});

export const narrativeResourceSchema = z.strictObject({
  title: text(300),
  kind: z.enum(["explanation", "worked_example", "activity", "video", "reading", "practice_sheet"]),
  url: z.url().optional(),
  durationMinutes: z.number().int().min(1).optional(),
  /** Points it serves, by name, so it can be linked where they are taught. */
  pointNames: z.array(text(200)).min(1),
});

export const CONTEXT_CHUNK_KINDS = ["target-point", "class-summary", "prerequisite", "misconception", "resource"] as const;
export type ContextChunkKind = (typeof CONTEXT_CHUNK_KINDS)[number];

/** Background for the model, packed by importance into what the context window leaves. */
export const contextChunkSchema = z.strictObject({
  id: text(300),
  kind: z.enum(CONTEXT_CHUNK_KINDS),
  /** Higher is kept first; any finite number. */
  importance: z.number().finite(),
  text: text(20_000),
});

export const narrativeRequestSchema = z.strictObject({
  language: z.enum(NARRATIVE_LANGUAGES),
  /** e.g. "数学" / "Mathematics". */
  subject: text(100),
  grade: z.number().int().min(1).max(12),
  /** What the lesson is about, e.g. the unit or the target points' names. */
  topic: text(300),
  durationMinutes: z.number().int().min(10).max(240),
  classSize: z.number().int().min(0),
  objectives: z
    .array(
      z.strictObject({
        standardCode: text(100),
        pointName: text(200),
        text: text(),
      }),
    )
    .min(1),
  /** From least to most mastery: the offline generator gives the first the most support. */
  tiers: z.array(narrativeTierSchema).min(1).max(6),
  timing: z.strictObject({
    openingMinutes: z.number().int().min(0),
    /** Tiers work in parallel for this long. */
    tierWorkMinutes: z.number().int().min(1),
    closingMinutes: z.number().int().min(0),
  }),
  resources: z.array(narrativeResourceSchema),
  context: z.array(contextChunkSchema),
});

export type NarrativeItem = z.infer<typeof narrativeItemSchema>;
export type NarrativeMisconception = z.infer<typeof narrativeMisconceptionSchema>;
export type NarrativeTier = z.infer<typeof narrativeTierSchema>;
export type NarrativeResource = z.infer<typeof narrativeResourceSchema>;
export type ContextChunk = z.infer<typeof contextChunkSchema>;
export type NarrativeRequest = z.infer<typeof narrativeRequestSchema>;

export class InvalidNarrativeRequestError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid narrative request: ${issues.join("; ")}`);
    this.name = "InvalidNarrativeRequestError";
  }
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
}

/** Validates a request (tier ids unique, timing within the duration) or throws InvalidNarrativeRequestError. */
export function parseNarrativeRequest(input: unknown): NarrativeRequest {
  const parsed = narrativeRequestSchema.safeParse(input);
  if (!parsed.success) throw new InvalidNarrativeRequestError(describeIssues(parsed.error));
  const request = parsed.data;
  const issues: string[] = [];
  const tierIds = new Set(request.tiers.map((tier) => tier.id));
  if (tierIds.size !== request.tiers.length) issues.push("tiers: tier ids must be unique");
  const { openingMinutes, tierWorkMinutes, closingMinutes } = request.timing;
  if (openingMinutes + tierWorkMinutes + closingMinutes > request.durationMinutes) {
    issues.push(
      `timing: ${openingMinutes} + ${tierWorkMinutes} + ${closingMinutes} minutes exceed the lesson's ${request.durationMinutes}`,
    );
  }
  if (issues.length > 0) throw new InvalidNarrativeRequestError(issues);
  return request;
}

// ---------------------------------------------------------------- the narrative

/**
 * Prose the model writes. The zod type is a string at run time (and in the JSON Schema sent to
 * the model); the cast only changes what TypeScript calls the parsed value.
 */
const prose = (max = 4000) => z.string().trim().min(1).max(max) as unknown as z.ZodType<GeneratedText, string>;

const proseList = (min: number, max: number) => z.array(prose(1000)).min(min).max(max);

export const lessonNarrativeSchema = z
  .strictObject({
    overview: prose(),
    opening: z.strictObject({
      minutes: z.number().int().min(0).max(240),
      script: prose(),
      questions: proseList(1, 6),
    }),
    tiers: z
      .array(
        z.strictObject({
          tierId: z.string().min(1).max(100),
          activities: z
            .array(
              z.strictObject({
                title: prose(200),
                minutes: z.number().int().min(1).max(240),
                description: prose(),
              }),
            )
            .min(1)
            .max(8),
          explanations: proseList(1, 8),
          questions: proseList(1, 8),
          misconceptions: z
            .array(
              z.strictObject({
                misconceptionId: z.string().min(1).max(200),
                approach: prose(),
              }),
            )
            .max(10),
          differentiation: prose(),
        }),
      )
      .min(1)
      .max(6),
    closing: z.strictObject({
      minutes: z.number().int().min(0).max(240),
      script: prose(),
    }),
  })
  .describe("The narrative of a differentiated lesson plan, written into its fixed skeleton.");

export type LessonNarrative = z.infer<typeof lessonNarrativeSchema>;
export type TierNarrative = LessonNarrative["tiers"][number];

/**
 * What a schema cannot say: the narrative covers exactly the request's tiers, each once, and
 * addresses exactly the misconceptions listed for each tier. Returns the problems found.
 */
export function narrativeMismatches(request: NarrativeRequest, narrative: LessonNarrative): string[] {
  const problems: string[] = [];
  const written = new Map<string, TierNarrative>();
  for (const tier of narrative.tiers) {
    if (written.has(tier.tierId)) problems.push(`tier "${tier.tierId}" is written twice`);
    written.set(tier.tierId, tier);
  }
  const requested = new Set(request.tiers.map((tier) => tier.id));
  for (const id of written.keys()) if (!requested.has(id)) problems.push(`tier "${id}" is not in the skeleton`);
  for (const tier of request.tiers) {
    const text = written.get(tier.id);
    if (!text) {
      problems.push(`tier "${tier.id}" has no narrative`);
      continue;
    }
    const expected = new Set(tier.misconceptions.map((m) => m.id));
    const addressed = new Set(text.misconceptions.map((m) => m.misconceptionId));
    for (const id of addressed) if (!expected.has(id)) problems.push(`tier "${tier.id}": misconception "${id}" is not in the skeleton`);
    for (const id of expected) if (!addressed.has(id)) problems.push(`tier "${tier.id}": misconception "${id}" is not addressed`);
  }
  return problems;
}

/** Tiers whose activities do not add up to the tier work time: worth a warning, not a retry. */
export function timingMismatches(request: NarrativeRequest, narrative: LessonNarrative): string[] {
  return narrative.tiers
    .map((tier) => ({ tierId: tier.tierId, minutes: tier.activities.reduce((sum, activity) => sum + activity.minutes, 0) }))
    .filter(({ minutes }) => minutes !== request.timing.tierWorkMinutes)
    .map(
      ({ tierId, minutes }) => `tier "${tierId}": activities take ${minutes} minutes, the skeleton gives ${request.timing.tierWorkMinutes}`,
    );
}
