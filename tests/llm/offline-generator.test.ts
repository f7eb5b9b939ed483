import { describe, expect, it } from "vitest";
import { readGeneratedText } from "../../src/llm/governance.js";
import { createNarrativeGenerator } from "../../src/llm/lesson-narrative-generator.js";
import {
  InvalidNarrativeRequestError,
  lessonNarrativeSchema,
  type NarrativeRequest,
  narrativeMismatches,
  timingMismatches,
} from "../../src/llm/narrative.js";
import { offlineNarrative } from "../../src/llm/offline-generator.js";
import { fractionLessonRequest } from "./lesson-request.js";

const allText = (narrative: unknown) => JSON.stringify(narrative);

describe.each(["zh", "en"] as const)("offline narrative (%s)", (language) => {
  const request = fractionLessonRequest(language);
  const narrative = offlineNarrative(request);

  it("is a valid narrative that covers the skeleton exactly", () => {
    expect(lessonNarrativeSchema.safeParse(JSON.parse(JSON.stringify(narrative))).success).toBe(true);
    expect(narrativeMismatches(request, narrative)).toEqual([]);
    expect(narrative.tiers.map((tier) => tier.tierId)).toEqual(["t1", "t2", "t3"]);
  });

  it("keeps to the skeleton's timing", () => {
    expect(timingMismatches(request, narrative)).toEqual([]);
    expect(narrative.opening.minutes).toBe(request.timing.openingMinutes);
    expect(narrative.closing.minutes).toBe(request.timing.closingMinutes);
    for (const tier of narrative.tiers) expect(tier.activities.every((activity) => activity.minutes >= 1)).toBe(true);
  });

  it("uses the point names, items, misconceptions, remedies and resources it was given", () => {
    const text = allText(narrative);
    for (const objective of request.objectives) expect(text).toContain(objective.pointName);
    for (const tier of request.tiers) {
      const written = narrative.tiers.find((t) => t.tierId === tier.id);
      const tierText = allText(written);
      for (const item of [...tier.workedExamples, ...tier.practiceItems, ...tier.homework]) expect(tierText).toContain(item.stem);
      for (const name of tier.prerequisiteReview) expect(tierText).toContain(name);
      for (const m of tier.misconceptions) {
        const approach = written?.misconceptions.find((entry) => entry.misconceptionId === m.id)?.approach;
        expect(approach && readGeneratedText(approach)).toContain(m.name);
        if (m.remedy) expect(approach && readGeneratedText(approach)).toContain(m.remedy);
      }
    }
    expect(request.resources.length).toBeGreaterThan(0);
    for (const resource of request.resources) expect(text).toContain(resource.title);
  });

  it("is written in the request's language", () => {
    const overview = readGeneratedText(narrative.overview);
    if (language === "zh") {
      expect(overview).toMatch(/本课为5年级数学/);
      expect(readGeneratedText(narrative.tiers[0]?.activities[0]?.title ?? narrative.overview)).toBe("先备知识复习");
    } else {
      expect(overview).toMatch(/^A 40-minute grade 5 Mathematics lesson/);
      expect(readGeneratedText(narrative.tiers[0]?.activities[0]?.title ?? narrative.overview)).toBe("Prerequisite review");
    }
  });

  it("gives the first tier the most support and the last the most independence", () => {
    const [first, , last] = narrative.tiers;
    const share = (tier: typeof first, index: number) => (tier?.activities[index]?.minutes ?? 0) / request.timing.tierWorkMinutes;
    expect(share(first, 0)).toBeGreaterThan(0.2); // review
    expect(last?.activities.map((activity) => readGeneratedText(activity.title))).not.toContain(
      language === "zh" ? "先备知识复习" : "Prerequisite review",
    );
    expect(readGeneratedText(last?.differentiation ?? narrative.overview)).toMatch(language === "zh" ? /独立/ : /independently/);
  });

  it("is deterministic", () => {
    expect(allText(offlineNarrative(fractionLessonRequest(language)))).toBe(allText(narrative));
  });
});

describe("offline narrative edge cases", () => {
  it("fits every activity into a very short tier time, one minute at least each", () => {
    const request: NarrativeRequest = {
      ...fractionLessonRequest("en"),
      timing: { openingMinutes: 2, tierWorkMinutes: 2, closingMinutes: 1 },
    };
    const narrative = offlineNarrative(request);
    expect(timingMismatches(request, narrative)).toEqual([]);
    for (const tier of narrative.tiers) expect(tier.activities.length).toBeLessThanOrEqual(2);
  });

  it("writes a plan for a tier with no items, review or misconceptions", () => {
    const base = fractionLessonRequest("zh");
    const bare = {
      ...base.tiers[0],
      id: "only",
      prerequisiteReview: [],
      workedExamples: [],
      practiceItems: [],
      misconceptions: [],
      exitTicket: [],
      homework: [],
    };
    const request = { ...base, tiers: [bare] } as NarrativeRequest;
    const narrative = offlineNarrative(request);
    expect(narrativeMismatches(request, narrative)).toEqual([]);
    expect(narrative.tiers[0]?.activities.map((a) => a.minutes)).toEqual([request.timing.tierWorkMinutes]);
  });

  it("refuses a request carrying anything but aggregates", () => {
    const request = { ...fractionLessonRequest("en"), students: [{ id: "s-1", name: "Ann" }] };
    expect(() => offlineNarrative(request as NarrativeRequest)).toThrow(InvalidNarrativeRequestError);
    expect(() => offlineNarrative(request as NarrativeRequest)).toThrow(/students/);
    const tierWithRoster = fractionLessonRequest("en");
    (tierWithRoster.tiers[0] as unknown as Record<string, unknown>).roster = ["s-1"];
    expect(() => offlineNarrative(tierWithRoster)).toThrow(/roster/);
  });

  it("refuses timing longer than the lesson and duplicate tier ids", () => {
    const base = fractionLessonRequest("en");
    expect(() => offlineNarrative({ ...base, timing: { openingMinutes: 10, tierWorkMinutes: 30, closingMinutes: 10 } })).toThrow(/exceed/);
    expect(() => offlineNarrative({ ...base, tiers: [base.tiers[0], base.tiers[0]] as NarrativeRequest["tiers"] })).toThrow(/unique/);
  });

  it("is what the generator returns when no model is configured", async () => {
    const generator = createNarrativeGenerator({
      provider: "offline",
      timeoutMs: 1000,
      maxRetries: 0,
      backoffBaseMs: 0,
      contextTokens: 8192,
      maxOutputTokens: 1024,
      encoding: "o200k_base",
      allowModels: [],
      denyModels: [],
      auditLogPath: "/nonexistent/never-written.jsonl",
    });
    const request = fractionLessonRequest("zh");
    const result = await generator.generate(request, {
      caller: { userId: "t-1", role: "teacher", schoolId: "demo" },
      protectedIdentifiers: [],
    });
    expect(result).toMatchObject({ source: "offline", provider: "offline", attempts: 0, warnings: [] });
    expect(allText(result.narrative)).toBe(allText(offlineNarrative(request)));
  });
});
