import { afterAll, describe, expect, it } from "vitest";
import { contextChunks } from "../../src/llm/context-chunks.js";
import type { ContextChunk } from "../../src/llm/narrative.js";
import { buildNarrativePrompt, PromptBudgetError } from "../../src/llm/narrative-prompt.js";
import { contextBudget, packContext } from "../../src/llm/prompt-packing.js";
import { countMessageTokens, countTokens, freeTokenEncoders, tokenCounter } from "../../src/llm/tokens.js";
import { CLASS_SIZE, fractionExcerpt, fractionLessonRequest } from "./lesson-request.js";

afterAll(freeTokenEncoders);

describe("token counting with tiktoken", () => {
  it("counts with the bundled encodings, offline", () => {
    expect(countTokens("")).toBe(0);
    expect(countTokens("hello world")).toBe(2);
    expect(countTokens("hello world", "cl100k_base")).toBe(2);
    expect(countTokens("分数的意义")).toBeGreaterThan(1);
  });

  it("counts special-token markers in text as ordinary text instead of throwing", () => {
    expect(countTokens("<|endoftext|>")).toBeGreaterThan(1);
  });

  it("builds encoders again after they are freed", () => {
    const before = countTokens("把单位“1”平均分成若干份", "cl100k_base");
    freeTokenEncoders();
    expect(countTokens("把单位“1”平均分成若干份", "cl100k_base")).toBe(before);
  });

  it("adds the chat format's framing to message counts", () => {
    const counter = tokenCounter();
    const messages = [
      { role: "system", content: "hello world" },
      { role: "user", content: "hello world" },
    ];
    expect(countMessageTokens(messages, counter)).toBe(3 + 2 * (3 + 1 + 2));
  });
});

function chunk(id: string, importance: number, words: number, kind: ContextChunk["kind"] = "prerequisite"): ContextChunk {
  return { id, kind, importance, text: `${id}: ${"fraction ".repeat(words).trim()}` };
}

describe("packContext", () => {
  const counter = tokenCounter();

  it("keeps the most important chunks within the budget and records what it dropped", () => {
    const chunks = [chunk("low", 1, 50), chunk("high", 10, 50), chunk("mid", 5, 50), chunk("top", 20, 50, "target-point")];
    const each = counter.count(chunks[0]?.text ?? "");
    const packed = packContext(chunks, 3 * each + 2, counter);
    expect(packed.tokens).toBeLessThanOrEqual(packed.budget);
    expect(packed.tokens).toBe(counter.count(packed.text));
    expect(packed.kept.map((c) => c.id)).toEqual(["top", "high", "mid"]);
    expect(packed.dropped).toEqual([{ id: "low", kind: "prerequisite", importance: 1, tokens: each }]);
  });

  it("skips a chunk that does not fit and still takes smaller, less important ones", () => {
    const packed = packContext([chunk("big", 10, 400), chunk("small", 5, 10), chunk("tiny", 1, 2)], 40, counter);
    expect(packed.kept.map((c) => c.id)).toEqual(["small", "tiny"]);
    expect(packed.dropped.map((c) => c.id)).toEqual(["big"]);
  });

  it("lays kept chunks out by kind (targets first), most important first within a kind", () => {
    const packed = packContext(
      [chunk("r", 90, 3, "resource"), chunk("p1", 50, 3), chunk("t", 10, 3, "target-point"), chunk("p2", 60, 3)],
      1000,
      counter,
    );
    expect(packed.kept.map((c) => c.id)).toEqual(["t", "p2", "p1", "r"]);
    expect(packed.text.split("\n").map((line) => line.split(":")[0])).toEqual(["t", "p2", "p1", "r"]);
  });

  it("keeps nothing under a budget of zero and everything under a generous one", () => {
    const chunks = [chunk("a", 1, 5), chunk("b", 2, 5)];
    expect(packContext(chunks, 0, counter)).toMatchObject({ text: "", tokens: 0, kept: [] });
    expect(packContext(chunks, 10_000, counter).dropped).toEqual([]);
  });

  it("computes the budget as window − reserved output − template", () => {
    expect(contextBudget({ contextTokens: 8192, maxOutputTokens: 2048, templateTokens: 1000 })).toBe(5144);
    expect(contextBudget({ contextTokens: 8192, maxOutputTokens: 2048, reservedTokens: 400, templateTokens: 1000 })).toBe(4744);
  });
});

describe("context chunks from the graph excerpt", () => {
  it("carries class figures as counts only, and ranks targets above prerequisites above resources", () => {
    const chunks = contextChunks(fractionExcerpt(), "en");
    const kinds = new Set(chunks.map((c) => c.kind));
    expect(kinds).toEqual(new Set(["target-point", "class-summary", "prerequisite", "misconception", "resource"]));
    const lowest = (kind: ContextChunk["kind"]) => Math.min(...chunks.filter((c) => c.kind === kind).map((c) => c.importance));
    const highest = (kind: ContextChunk["kind"]) => Math.max(...chunks.filter((c) => c.kind === kind).map((c) => c.importance));
    expect(lowest("target-point")).toBeGreaterThan(highest("prerequisite"));
    expect(lowest("prerequisite")).toBeGreaterThan(highest("resource"));
    const summaries = chunks.filter((c) => c.kind === "class-summary").map((c) => c.text);
    expect(summaries[0]).toBe(`[Class] ${CLASS_SIZE} students. All figures are counts for the class.`);
    for (const text of summaries.slice(1))
      expect(text).toMatch(/^\[Class mastery\] .+: \d+ of 45 students attempted it, \d+ have mastered it\.$/);
    expect(contextChunks(fractionExcerpt(), "zh").find((c) => c.kind === "target-point")?.text).toMatch(
      /^【目标知识点】分数的意义和分数单位/,
    );
  });
});

describe("the narrative prompt under a token budget", () => {
  const counter = tokenCounter();
  const request = fractionLessonRequest("zh");

  it("fits the window minus the reserved output, keeping the most important context", async () => {
    const roomy = await buildNarrativePrompt(request, { method: "json_mode", contextTokens: 32_000, maxOutputTokens: 4000, counter });
    expect(roomy.packing.dropped).toEqual([]);
    const tight = roomy.templateTokens + 4000 + 300 + 400;
    const settings = { method: "json_mode" as const, contextTokens: tight, maxOutputTokens: 4000, reservedTokens: 300, counter };
    const prompt = await buildNarrativePrompt(request, settings);
    expect(prompt.promptTokens).toBeLessThanOrEqual(tight - 4000 - 300);
    expect(prompt.packing.budget).toBe(400);
    expect(prompt.promptTokens).toBe(countMessageTokens(prompt.texts, counter));
    expect(prompt.packing.dropped.length).toBeGreaterThan(0);
    const minKept = Math.min(...prompt.packing.kept.map((c) => c.importance));
    const maxDropped = Math.max(...prompt.packing.dropped.map((c) => c.importance));
    expect(prompt.packing.kept.some((c) => c.kind === "target-point")).toBe(true);
    // Greedy by importance: whatever was dropped either mattered less or did not fit.
    for (const dropped of prompt.packing.dropped.filter((c) => c.importance > minKept)) {
      expect(dropped.tokens).toBeGreaterThan(prompt.packing.budget - prompt.packing.tokens);
    }
    expect(maxDropped).toBeLessThanOrEqual(100);
  });

  it("counts the schema sent beside the messages for json_schema and function calling", async () => {
    const settings = { contextTokens: 32_000, maxOutputTokens: 4000, counter };
    const schema = await buildNarrativePrompt(request, { ...settings, method: "json_schema" });
    expect(schema.schemaTokens).toBeGreaterThan(100);
    expect(schema.promptTokens).toBe(countMessageTokens(schema.texts, counter) + schema.schemaTokens);
    const mode = await buildNarrativePrompt(request, { ...settings, method: "json_mode" });
    expect(mode.schemaTokens).toBe(0);
    expect(mode.texts[0]?.content).toContain('"additionalProperties":false');
  });

  it("refuses a window too small for the skeleton itself", async () => {
    await expect(
      buildNarrativePrompt(request, { method: "json_mode", contextTokens: 3000, maxOutputTokens: 2000, counter }),
    ).rejects.toThrow(PromptBudgetError);
  });
});
