import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  asGeneratedText,
  assertModelAllowed,
  IdentifierGuard,
  LlmAuditLog,
  ModelNotAllowedError,
  modelMatches,
  ProtectedIdentifierError,
  promptHash,
  readGeneratedText,
} from "../../src/llm/governance.js";
import { gradeResponse } from "../../src/services/grading.js";

describe("model allow and deny lists", () => {
  it("matches patterns with * as a wildcard, case-insensitively", () => {
    expect(modelMatches("qwen*", "Qwen2.5-7B-Instruct")).toBe(true);
    expect(modelMatches("*:cloud", "deepseek-v3.1:cloud")).toBe(true);
    expect(modelMatches("gpt-4o", "gpt-4o-mini")).toBe(false);
    expect(modelMatches("gpt-4o*", "gpt-4o-mini")).toBe(true);
    expect(modelMatches("a.b", "axb")).toBe(false);
  });

  it("refuses a denied model even when it is also allowed, naming the variable and the pattern", () => {
    const policy = { allowModels: ["qwen*"], denyModels: ["*-preview"] };
    expect(() => assertModelAllowed("qwen3-preview", policy)).toThrow(ModelNotAllowedError);
    expect(() => assertModelAllowed("qwen3-preview", policy)).toThrow(/PATHWISE_LLM_DENY_MODELS \(pattern "\*-preview"\)/);
    try {
      assertModelAllowed("qwen3-preview", policy);
    } catch (error) {
      expect(error).toMatchObject({ model: "qwen3-preview", reason: "denied", pattern: "*-preview" });
    }
  });

  it("refuses a model outside a non-empty allow list, and allows anything not denied when it is empty", () => {
    expect(() => assertModelAllowed("llama3.1", { allowModels: ["qwen*", "deepseek-*"], denyModels: [] })).toThrow(
      /matches no pattern of PATHWISE_LLM_ALLOW_MODELS/,
    );
    expect(() => assertModelAllowed("deepseek-chat", { allowModels: ["qwen*", "deepseek-*"], denyModels: [] })).not.toThrow();
    expect(() => assertModelAllowed("anything", { allowModels: [], denyModels: ["gpt-*"] })).not.toThrow();
  });
});

describe("IdentifierGuard", () => {
  const guard = new IdentifierGuard(["demo-4a-1", "Ann Lee", "王小红", "Ming", " ", ""]);

  it("finds ids and names, ignoring case, full-width forms and spacing", () => {
    expect(guard.size).toBe(4);
    expect(guard.occurrencesIn("student demo-4a-1 answered")).toBe(1);
    expect(guard.occurrencesIn("ＤＥＭＯ－４Ａ－１")).toBe(1);
    expect(guard.occurrencesIn("ann  LEE did well")).toBe(1);
    expect(guard.occurrencesIn("今天王小红和王小红的同桌")).toBe(2);
    expect(guard.occurrencesIn("Ming leaves home at 7:50.")).toBe(1);
  });

  it("matches Latin-script identifiers as whole words only", () => {
    expect(guard.occurrencesIn("demo-4a-10 and demo-4a-11")).toBe(0);
    expect(guard.occurrencesIn("Mingle, Mingming")).toBe(0);
    expect(guard.occurrencesIn("xdemo-4a-1")).toBe(0);
    expect(guard.occurrencesIn("(demo-4a-1)")).toBe(1);
  });

  it("throws a typed error that never repeats the identifier", () => {
    expect(() => guard.assertAbsent(["fine", "王小红"])).toThrow(ProtectedIdentifierError);
    try {
      guard.assertAbsent(["王小红 and Ann Lee"]);
    } catch (error) {
      expect(error).toMatchObject({ occurrences: 2 });
      expect(String(error)).not.toMatch(/王小红|Ann/);
    }
    expect(() => guard.assertAbsent(["nothing here"])).not.toThrow();
  });

  it("decodes a JSON body before scanning it, so escapes hide nothing", () => {
    const escaped = JSON.stringify({ messages: [{ content: "\u738b\u5c0f\u7ea2" }] }).replace("王小红", "\\u738b\\u5c0f\\u7ea2");
    expect(escaped).not.toContain("王小红");
    expect(() => guard.assertBodyAbsent(escaped)).toThrow(ProtectedIdentifierError);
    expect(() => guard.assertBodyAbsent(JSON.stringify({ "demo-4a-1": 1 }))).toThrow(ProtectedIdentifierError);
    expect(() => guard.assertBodyAbsent("not json, Ann Lee")).toThrow(ProtectedIdentifierError);
    expect(() => guard.assertBodyAbsent(JSON.stringify({ ok: ["a", { b: 1 }] }))).not.toThrow();
  });
});

describe("audit log", () => {
  const dir = mkdtempSync(join(tmpdir(), "pathwise-audit-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("appends one JSON line per record, creating the directory, readable by its owner only", async () => {
    const path = join(dir, "nested", "llm-audit.jsonl");
    const log = new LlmAuditLog(path);
    const record = (attempt: number) => ({
      time: new Date().toISOString(),
      requestId: "r1",
      caller: { userId: "t-1", role: "teacher", schoolId: "demo" },
      purpose: "lesson-plan-narrative",
      provider: "openai-compatible",
      model: "qwen2.5",
      attempt,
      maxAttempts: 3,
      outcome: "ok" as const,
      durationMs: 12,
    });
    await Promise.all([log.append(record(1)), log.append(record(2)), log.append(record(3))]);
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(lines.map((line) => JSON.parse(line).attempt)).toEqual([1, 2, 3]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("hashes prompts with sha256, stably and by role and content", () => {
    const messages = [
      { role: "system", content: "a" },
      { role: "user", content: "b" },
    ];
    expect(promptHash(messages)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(promptHash(messages)).toBe(promptHash([...messages]));
    expect(promptHash(messages)).not.toBe(promptHash([{ role: "user", content: "a" }, messages[1] as (typeof messages)[number]]));
  });
});

describe("generated text cannot reach grading, mastery or attempts", () => {
  it("is a distinct type: TypeScript refuses it where grading takes text", () => {
    const generated = asGeneratedText("3/4");
    const item = {
      id: "q",
      subjectId: "math",
      stem: { zh: "?", en: "?" },
      difficulty: 1,
      knowledgePoints: [{ id: "p", weight: 1 }],
      type: "short_answer" as const,
      answer: { accept: ["3/4"] },
    };
    // @ts-expect-error GeneratedText is not a string: a model's words cannot be graded as an answer.
    gradeResponse(item, { kind: "text", text: generated });
    expect(readGeneratedText(generated)).toBe("3/4");
  });

  const root = resolve(import.meta.dirname, "../..");
  const guarded = ["src/bkt", "src/graph", "src/services/grading.ts", "src/services/learning-service.ts"];
  /**
   * The LLM layer's settings (read with all the others by src/config.ts): no model, no text. Walked
   * like any other module, so an import from it into the rest of src/llm would still be caught.
   */
  const settingsOnly = join("src", "llm", "config.ts");

  function sourceFiles(path: string): string[] {
    const absolute = join(root, path);
    if (statSync(absolute).isFile()) return [absolute];
    return readdirSync(absolute, { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".ts"))
      .map((name) => join(absolute, name));
  }

  /** Relative specifiers of static imports, re-exports and dynamic import() calls. */
  function importsOf(file: string): string[] {
    const source = readFileSync(file, "utf8");
    const specifiers = [
      ...source.matchAll(/(?:import|export)\s[^;]*?from\s*["']([^"']+)["']/g),
      ...source.matchAll(/import\s*\(\s*["']([^"']+)["']\s*\)/g),
      ...source.matchAll(/import\s+["']([^"']+)["']/g),
    ].map((match) => match[1] as string);
    return specifiers.filter((specifier) => specifier.startsWith("."));
  }

  it("src/bkt, src/graph, grading and the learning service never import src/llm, directly or through other modules", () => {
    const seen = new Set<string>();
    const pending = guarded.flatMap(sourceFiles);
    expect(pending.length).toBeGreaterThan(20);
    const offending: string[] = [];
    while (pending.length > 0) {
      const file = pending.pop() as string;
      if (seen.has(file)) continue;
      seen.add(file);
      for (const specifier of importsOf(file)) {
        const target = resolve(dirname(file), specifier).replace(/\.js$/, ".ts");
        const inLlm = relative(root, target).startsWith(join("src", "llm"));
        if (inLlm && relative(root, target) !== settingsOnly) offending.push(`${relative(root, file)} → ${specifier}`);
        else if (target.endsWith(".ts")) pending.push(target);
      }
    }
    expect(offending).toEqual([]);
    // The walk did follow imports beyond the guarded folders (into src/curriculum, for one).
    expect([...seen].some((file) => relative(root, file).startsWith(join("src", "curriculum")))).toBe(true);
  });

  it("the scan recognises the import forms it looks for", () => {
    const probe = join(root, "src/llm/lesson-narrative-generator.ts");
    expect(importsOf(probe)).toEqual(expect.arrayContaining(["./governance.js", "./narrative.js", "../logger.js"]));
  });
});
