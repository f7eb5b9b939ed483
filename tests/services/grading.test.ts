/** The server's grading of every item type, and the misconceptions a wrong response reveals. */
import { describe, expect, it } from "vitest";
import type { Item } from "../../src/curriculum/model.js";
import { gradeResponse, InvalidResponseError, parseNumberResponse } from "../../src/services/grading.js";

const base = { subjectId: "math", stem: { zh: "题", en: "Q" }, difficulty: 2, knowledgePoints: [{ id: "kp", weight: 1 }] };
const single: Item = {
  ...base,
  id: "q.single",
  type: "single_choice",
  options: [
    { id: "a", text: { zh: "2/7", en: "2/7" }, misconceptionId: "math.mis.add-numerators-and-denominators" },
    { id: "b", text: { zh: "5/6", en: "5/6" } },
    { id: "c", text: { zh: "1/6", en: "1/6" } },
  ],
  answer: "b",
};
const multiple: Item = {
  ...base,
  id: "q.multi",
  type: "multiple_choice",
  options: [
    { id: "a", text: { zh: "a", en: "a" } },
    { id: "b", text: { zh: "b", en: "b" } },
    { id: "c", text: { zh: "c", en: "c" }, misconceptionId: "math.mis.square-is-not-rectangle" },
  ],
  answer: ["a", "b"],
};
const numeric: Item = {
  ...base,
  id: "q.num",
  type: "numeric",
  answer: { value: 1 / 3, tolerance: 0 },
  wrongAnswers: [{ value: 0.5, misconceptionId: "math.mis.add-numerators-and-denominators" }],
};
const short: Item = { ...base, id: "q.short", type: "short_answer", answer: { accept: ["Right angle", "直角"] } };

describe("grading", () => {
  it("single choice: the key is right; a tagged wrong option reveals its misconception", () => {
    expect(gradeResponse(single, { kind: "options", optionIds: ["b"] })).toEqual({ correct: true, misconceptionIds: [] });
    expect(gradeResponse(single, { kind: "options", optionIds: ["a"] })).toEqual({
      correct: false,
      misconceptionIds: ["math.mis.add-numerators-and-denominators"],
    });
    expect(gradeResponse(single, { kind: "options", optionIds: ["c"] })).toEqual({ correct: false, misconceptionIds: [] });
  });

  it("multiple choice needs exactly the keyed set", () => {
    expect(gradeResponse(multiple, { kind: "options", optionIds: ["b", "a"] }).correct).toBe(true);
    expect(gradeResponse(multiple, { kind: "options", optionIds: ["a"] }).correct).toBe(false);
    expect(gradeResponse(multiple, { kind: "options", optionIds: ["a", "b", "c"] })).toEqual({
      correct: false,
      misconceptionIds: ["math.mis.square-is-not-rectangle"],
    });
  });

  it("numeric accepts fractions, mixed numbers and full-width digits, exactly", () => {
    expect(gradeResponse(numeric, { kind: "number", text: "1/3" }).correct).toBe(true);
    expect(gradeResponse(numeric, { kind: "number", text: " １／３ " }).correct).toBe(true);
    expect(gradeResponse(numeric, { kind: "number", text: "0.333" }).correct).toBe(false);
    expect(gradeResponse(numeric, { kind: "number", text: "1/2" })).toEqual({
      correct: false,
      misconceptionIds: ["math.mis.add-numerators-and-denominators"],
    });
    expect(parseNumberResponse("1 1/4")).toBe(1.25);
    expect(parseNumberResponse("-3/4")).toBe(-0.75);
    expect(parseNumberResponse("1,200")).toBe(1200);
    expect(parseNumberResponse("3/0")).toBeUndefined();
    expect(parseNumberResponse("three")).toBeUndefined();
  });

  it("short answers compare after normalising case, width and spaces", () => {
    expect(gradeResponse(short, { kind: "text", text: "  right   ANGLE " }).correct).toBe(true);
    expect(gradeResponse(short, { kind: "text", text: "直角" }).correct).toBe(true);
    expect(gradeResponse(short, { kind: "text", text: "acute angle" }).correct).toBe(false);
  });

  it("refuses responses that cannot be graded, naming the field", () => {
    const invalid = (item: Item, response: Parameters<typeof gradeResponse>[1]) => {
      try {
        gradeResponse(item, response);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidResponseError);
        return (error as InvalidResponseError).field;
      }
      throw new Error("expected an InvalidResponseError");
    };
    expect(invalid(single, { kind: "options", optionIds: ["z"] })).toBe("response.optionIds");
    expect(invalid(single, { kind: "options", optionIds: ["a", "b"] })).toBe("response.optionIds");
    expect(invalid(single, { kind: "options", optionIds: [] })).toBe("response.optionIds");
    expect(invalid(single, { kind: "text", text: "b" })).toBe("response");
    expect(invalid(numeric, { kind: "number", text: "abc" })).toBe("response.text");
    expect(invalid(short, { kind: "text", text: "   " })).toBe("response.text");
  });
});
