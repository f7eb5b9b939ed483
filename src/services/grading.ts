/**
 * Grades a student's response from the item's answer key. The server always grades: a client's
 * own "correct" flag is never trusted, and an LLM never grades.
 *
 * A wrong response may reveal misconceptions: the ones tagged on the chosen wrong options, or on
 * the known wrong numeric value it equals.
 */
import type { Item } from "../curriculum/model.js";

export type ItemResponse =
  /** Chosen option ids (single choice: exactly one). */
  | { kind: "options"; optionIds: readonly string[] }
  /** A number as the student typed it: `0.75`, `3/4`, `1 1/4`, `-2`, full-width digits too. */
  | { kind: "number"; text: string }
  | { kind: "text"; text: string };

export interface Grade {
  correct: boolean;
  /** Misconceptions the response indicates (empty when correct or when nothing is tagged). */
  misconceptionIds: string[];
}

/** A response that cannot be graded against this item: the caller reports it as INVALID_INPUT. */
export class InvalidResponseError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "InvalidResponseError";
  }
}

const EXPECTED_KIND: Record<Item["type"], ItemResponse["kind"]> = {
  single_choice: "options",
  multiple_choice: "options",
  numeric: "number",
  short_answer: "text",
};

/** Full-width forms to ASCII (NFKC), lower case, one space between words. */
export function normaliseText(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * Parses what a student typed as a number: a decimal, a fraction `a/b`, or a mixed number
 * `w a/b`. Returns undefined if it is none of these.
 */
export function parseNumberResponse(text: string): number | undefined {
  const s = normaliseText(text).replace(/[−–]/g, "-").replace(/,/g, "");
  const decimal = /^-?(\d+(\.\d*)?|\.\d+)$/;
  if (decimal.test(s)) return Number(s);
  const fraction = /^(-?)(?:(\d+) )?(\d+) ?\/ ?(\d+)$/.exec(s);
  if (fraction) {
    const [, sign, whole, numerator, denominator] = fraction;
    if (Number(denominator) === 0) return undefined;
    const value = Number(whole ?? 0) + Number(numerator) / Number(denominator);
    return sign === "-" ? -value : value;
  }
  return undefined;
}

/** Numbers equal up to the key's tolerance, and up to floating-point noise for exact keys like 1/3. */
function sameNumber(a: number, b: number, tolerance: number): boolean {
  return Math.abs(a - b) <= Math.max(tolerance, 1e-9 * Math.max(1, Math.abs(b)));
}

export function gradeResponse(item: Item, response: ItemResponse): Grade {
  const expected = EXPECTED_KIND[item.type];
  if (response.kind !== expected) {
    throw new InvalidResponseError(
      "response",
      `item ${item.id} is ${item.type.replace("_", " ")}: answer it with ${expected}, not ${response.kind}`,
    );
  }
  switch (item.type) {
    case "single_choice":
    case "multiple_choice": {
      const { optionIds } = response as { optionIds: readonly string[] };
      const known = new Map(item.options.map((option) => [option.id, option]));
      const unknown = optionIds.filter((id) => !known.has(id));
      if (unknown.length > 0) {
        throw new InvalidResponseError(
          "response.optionIds",
          `item ${item.id} has no option ${unknown.map((id) => JSON.stringify(id)).join(", ")}`,
        );
      }
      const chosen = [...new Set(optionIds)];
      if (chosen.length === 0) throw new InvalidResponseError("response.optionIds", "choose at least one option");
      if (item.type === "single_choice" && chosen.length > 1) {
        throw new InvalidResponseError("response.optionIds", `item ${item.id} is single choice: choose exactly one option`);
      }
      const key = new Set(item.type === "single_choice" ? [item.answer] : item.answer);
      const correct = chosen.length === key.size && chosen.every((id) => key.has(id));
      const misconceptionIds = correct ? [] : [...new Set(chosen.flatMap((id) => known.get(id)?.misconceptionId ?? []))];
      return { correct, misconceptionIds };
    }
    case "numeric": {
      const value = parseNumberResponse((response as { text: string }).text);
      if (value === undefined) {
        throw new InvalidResponseError(
          "response.text",
          `not a number: ${JSON.stringify((response as { text: string }).text)} (write e.g. 0.75, 3/4 or 1 1/4)`,
        );
      }
      const correct = sameNumber(value, item.answer.value, item.answer.tolerance);
      const misconceptionIds = correct
        ? []
        : [...new Set(item.wrongAnswers.filter((wrong) => sameNumber(value, wrong.value, 0)).map((wrong) => wrong.misconceptionId))];
      return { correct, misconceptionIds };
    }
    case "short_answer": {
      const given = normaliseText((response as { text: string }).text);
      if (given === "") throw new InvalidResponseError("response.text", "the answer is empty");
      return { correct: item.answer.accept.some((accepted) => normaliseText(accepted) === given), misconceptionIds: [] };
    }
  }
}
