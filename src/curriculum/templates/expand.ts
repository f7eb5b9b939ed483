/**
 * Expands an item template into concrete items. Instances are deterministic for a template's
 * seed, so re-importing the same file yields the same ids and content (an idempotent import).
 *
 * Each distractor is the value a named misconception produces, so a wrong choice is evidence of
 * that misconception. A distractor that coincides with the answer or with an earlier distractor
 * for these parameters is dropped (it would be ambiguous evidence); if fewer than two remain,
 * untagged near-miss values fill the options so that every question has at least three.
 */
import { hashSeed, SeededRandom } from "../../bkt/random.js";
import type { Item, ItemOption, ItemTemplate, WrongAnswer } from "../model.js";
import { type CompiledExpression, compileExpression, ExpressionError, isTruthy } from "./expression.js";
import { add, formatRational, fromNumber, type Rational, RationalError, rational, sub, toNumber } from "./rational.js";

export class TemplateError extends Error {}

const OPTION_IDS = ["A", "B", "C", "D", "E", "F"];
const MAX_DRAWS_PER_INSTANCE = 400;

export interface CompiledTemplate {
  template: ItemTemplate;
  constraints: CompiledExpression[];
  answer: CompiledExpression;
  distractors: { expression: CompiledExpression; misconception: string }[];
  stemParts: { zh: StemPart[]; en: StemPart[] };
}

type StemPart = { text: string } | { parameter: string } | { expression: CompiledExpression };

const PLACEHOLDER = /\{(=)?\s*([^{}]+?)\s*\}/g;

function parseStem(text: string, parameterNames: Set<string>, where: string): StemPart[] {
  const parts: StemPart[] = [];
  let last = 0;
  for (const match of text.matchAll(PLACEHOLDER)) {
    const index = match.index ?? 0;
    if (index > last) parts.push({ text: text.slice(last, index) });
    const body = match[2] as string;
    if (match[1]) {
      parts.push({ expression: compileChecked(body, parameterNames, where) });
    } else {
      if (!parameterNames.has(body)) throw new TemplateError(`${where}: unknown parameter {${body}}`);
      parts.push({ parameter: body });
    }
    last = index + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}

function compileChecked(source: string, parameterNames: Set<string>, where: string): CompiledExpression {
  let compiled: CompiledExpression;
  try {
    compiled = compileExpression(source);
  } catch (error) {
    throw new TemplateError(`${where}: ${(error as Error).message}`);
  }
  for (const name of compiled.names) {
    if (!parameterNames.has(name)) throw new TemplateError(`${where}: unknown parameter "${name}" in "${source}"`);
  }
  return compiled;
}

/** Checks every expression of a template; throws TemplateError naming the part at fault. */
export function compileTemplate(template: ItemTemplate): CompiledTemplate {
  const names = new Set(Object.keys(template.parameters));
  for (const [name, spec] of Object.entries(template.parameters)) {
    if ("int" in spec && spec.int[0] > spec.int[1]) {
      throw new TemplateError(`parameters.${name}: the range [${spec.int[0]}, ${spec.int[1]}] is empty`);
    }
  }
  return {
    template,
    constraints: template.constraints.map((c, i) => compileChecked(c, names, `constraints[${i}]`)),
    answer: compileChecked(template.answer, names, "answer"),
    distractors: template.distractors.map((d, i) => ({
      expression: compileChecked(d.expr, names, `distractors[${i}].expr`),
      misconception: d.misconception,
    })),
    stemParts: {
      zh: parseStem(template.stem.zh, names, "stem.zh"),
      en: parseStem(template.stem.en, names, "stem.en"),
    },
  };
}

/** How a parameter value is shown in a stem: whole numbers plainly, others as decimals when finite. */
function formatParameter(value: Rational): string {
  try {
    return formatRational(value, value.d === 1 ? "integer" : "decimal");
  } catch {
    return formatRational(value, "fraction");
  }
}

function renderStem(parts: StemPart[], scope: Record<string, Rational>): string {
  return parts
    .map((part) => {
      if ("text" in part) return part.text;
      if ("parameter" in part) return formatParameter(scope[part.parameter] as Rational);
      return formatRational(part.expression.evaluate(scope), "auto");
    })
    .join("");
}

export interface TemplateInstance {
  parameters: Record<string, number>;
  scope: Record<string, Rational>;
  answer: Rational;
  answerText: string;
  /** Distinct wrong values with the misconception that produces each (absent for fillers). */
  distractors: { value: Rational; text: string; misconception?: string }[];
}

/** Evaluates one instance; undefined when the parameters break a constraint or an expression fails. */
export function evaluateInstance(compiled: CompiledTemplate, parameters: Record<string, number>): TemplateInstance | undefined {
  const scope: Record<string, Rational> = {};
  for (const [name, value] of Object.entries(parameters)) scope[name] = fromNumber(value);
  try {
    for (const constraint of compiled.constraints) if (!isTruthy(constraint.evaluate(scope))) return undefined;
    const answer = compiled.answer.evaluate(scope);
    // Numeric items compare values, so a wrong value needs no display form; choices show text.
    const format = compiled.template.type === "numeric" ? "fraction" : compiled.template.answerFormat;
    const answerText = formatRational(answer, compiled.template.answerFormat);
    const seen = new Set([formatRational(answer, format)]);
    const distractors: TemplateInstance["distractors"] = [];
    for (const distractor of compiled.distractors) {
      let value: Rational;
      let text: string;
      try {
        value = distractor.expression.evaluate(scope);
        text = formatRational(value, format);
      } catch (error) {
        if (error instanceof RationalError) continue; // this misconception yields no number here
        throw error;
      }
      if (seen.has(text)) continue;
      seen.add(text);
      distractors.push({ value, text, misconception: distractor.misconception });
    }
    return { parameters, scope, answer, answerText, distractors };
  } catch (error) {
    if (error instanceof RationalError || error instanceof ExpressionError) return undefined;
    throw error;
  }
}

function addFillers(instance: TemplateInstance, format: ItemTemplate["answerFormat"], target: number): void {
  const seen = new Set([instance.answerText, ...instance.distractors.map((d) => d.text)]);
  const step = instance.answer.d === 1 ? rational(1) : rational(1, instance.answer.d);
  const candidates = [add(instance.answer, step), sub(instance.answer, step), add(instance.answer, add(step, step))];
  for (const value of candidates) {
    if (instance.distractors.length >= target) return;
    if (instance.answer.n >= 0 && value.n < 0) continue;
    let text: string;
    try {
      text = formatRational(value, format);
    } catch {
      continue;
    }
    if (seen.has(text)) continue;
    seen.add(text);
    instance.distractors.push({ value, text });
  }
}

function drawParameters(template: ItemTemplate, random: SeededRandom): Record<string, number> {
  const parameters: Record<string, number> = {};
  for (const [name, spec] of Object.entries(template.parameters)) {
    parameters[name] = "int" in spec ? random.integer(spec.int[0], spec.int[1]) : random.pick(spec.choice);
  }
  return parameters;
}

const both = (text: string) => ({ zh: text, en: text });

/** Generates `template.count` distinct instances or throws TemplateError saying why it could not. */
export function expandTemplate(template: ItemTemplate): Item[] {
  const compiled = compileTemplate(template);
  const random = new SeededRandom(hashSeed(template.id, template.seed));
  const items: Item[] = [];
  const seenStems = new Set<string>();
  let draws = 0;
  let rejectedByConstraints = 0;
  const maxDraws = MAX_DRAWS_PER_INSTANCE * template.count;
  while (items.length < template.count && draws < maxDraws) {
    draws++;
    const parameters = drawParameters(template, random);
    const instance = evaluateInstance(compiled, parameters);
    if (!instance) {
      rejectedByConstraints++;
      continue;
    }
    const stem = { zh: renderStem(compiled.stemParts.zh, instance.scope), en: renderStem(compiled.stemParts.en, instance.scope) };
    if (seenStems.has(stem.en)) continue;
    const id = `${template.id}.${items.length + 1}`;
    const base = {
      id,
      subjectId: template.subjectId,
      stem,
      difficulty: template.difficulty,
      knowledgePoints: template.knowledgePoints,
      templateId: template.id,
      templateParameters: parameters,
      ...(template.explanation ? { explanation: template.explanation } : {}),
    };
    if (template.type === "numeric") {
      const wrongAnswers: WrongAnswer[] = instance.distractors.map((d) => ({
        value: toNumber(d.value),
        misconceptionId: d.misconception as string,
      }));
      items.push({ ...base, type: "numeric", answer: { value: toNumber(instance.answer), tolerance: 0 }, wrongAnswers });
    } else {
      addFillers(instance, template.answerFormat, 2);
      if (instance.distractors.length < 2) continue;
      const choices = random.shuffle([
        { text: instance.answerText, correct: true as boolean, misconception: undefined as string | undefined },
        ...instance.distractors
          .slice(0, OPTION_IDS.length - 1)
          .map((d) => ({ text: d.text, correct: false, misconception: d.misconception })),
      ]);
      const options: ItemOption[] = choices.map((choice, index) => ({
        id: OPTION_IDS[index] as string,
        text: both(choice.text),
        ...(choice.misconception ? { misconceptionId: choice.misconception } : {}),
      }));
      const answer = OPTION_IDS[choices.findIndex((choice) => choice.correct)] as string;
      items.push({ ...base, type: "single_choice", options, answer });
    }
    seenStems.add(stem.en);
  }
  if (items.length < template.count) {
    throw new TemplateError(
      `produced only ${items.length} of ${template.count} distinct instances in ${draws} draws ` +
        `(${rejectedByConstraints} broke a constraint or had no exact answer): widen the parameter ranges or lower count`,
    );
  }
  return items;
}
