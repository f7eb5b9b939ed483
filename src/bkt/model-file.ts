/**
 * `params.json`: a fitted model as other tools read and write it.
 *
 * `{ variant, skills: { <skill>: { prior, learn, forget, slip, guess, items?, itemLearn? } },
 *    fit: { logLikelihood, iterations, rows, seconds, warnings, … } }`
 *
 * Reading validates every value (probabilities in [0, 1], a known variant) and reports a problem
 * with the line and column of the offending value: the file is parsed with `yaml` (JSON is YAML),
 * which keeps source ranges, and zod's issue path is mapped back to a node.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { type Document, isNode, LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import type { BktModel } from "./model.js";
import { BKT_VARIANTS } from "./parameters.js";

const probability = z.number().min(0).max(1);

const skillModelSchema = z.strictObject({
  prior: probability,
  learn: probability,
  forget: probability,
  slip: probability,
  guess: probability,
  items: z.record(z.string(), z.strictObject({ guess: probability, slip: probability })).optional(),
  itemLearn: z.record(z.string(), probability).optional(),
});

const modelFileSchema = z.object({
  variant: z.enum(BKT_VARIANTS),
  skills: z.record(z.string(), skillModelSchema),
  /** Provenance of the fit; free-form beyond the listed fields so that reports can grow. */
  fit: z.looseObject({}).optional(),
});

export type ModelFile = z.infer<typeof modelFileSchema>;

export class ModelFileError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    problem: string,
  ) {
    super(`${file}:${line}:${column}: ${problem}`);
    this.name = "ModelFileError";
  }
}

function positionOf(doc: Document, lines: LineCounter, path: readonly PropertyKey[]): { line: number; col: number } {
  // Walk up the path until a node with a source range exists (a missing key points at its parent).
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return lines.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

export function parseModelFile(text: string, file: string): BktModel & { fit?: Record<string, unknown> } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    throw new ModelFileError(file, line, col, `not valid JSON: ${syntax.message.split("\n")[0]}`);
  }
  const parsed = modelFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const { line, col } = positionOf(doc, lines, issue.path);
    const where = issue.path.length > 0 ? ` at ${issue.path.join(".")}` : "";
    throw new ModelFileError(file, line, col, `${issue.message}${where}`);
  }
  return parsed.data;
}

export function readModelFile(path: string): BktModel & { fit?: Record<string, unknown> } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ModelFileError(path, 0, 0, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseModelFile(text, path);
}

export function writeModelFile(path: string, model: BktModel, fit: object): void {
  writeFileSync(path, `${JSON.stringify({ variant: model.variant, skills: model.skills, fit }, null, 2)}\n`);
}
