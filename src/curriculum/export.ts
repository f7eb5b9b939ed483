/**
 * Writes stored curricula back in the file format. Items generated from templates are left out
 * (their template is written, and importing regenerates the same instances), so an export
 * re-imports as "unchanged".
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { extname, join } from "node:path";
import { stringify } from "yaml";
import { CURRICULUM_FORMAT, type CurriculumFileSpec } from "./format.js";
import type { CurriculumData, Item, ItemKnowledgePoint } from "./model.js";

type Spec = Record<string, unknown>;

function compact<T extends Spec>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const refs = (links: ItemKnowledgePoint[]) => links.map((l) => (l.weight === 1 ? l.id : { id: l.id, weight: l.weight }));

function itemSpec(item: Item): Spec {
  const common = compact({
    id: item.id,
    type: item.type,
    stem: item.stem,
    knowledgePoints: refs(item.knowledgePoints),
    difficulty: item.difficulty,
    explanation: item.explanation,
  });
  switch (item.type) {
    case "single_choice":
    case "multiple_choice":
      return {
        ...common,
        options: item.options.map((o) => compact({ id: o.id, text: o.text, misconception: o.misconceptionId })),
        answer: item.answer,
      };
    case "numeric":
      return {
        ...common,
        answer: item.answer,
        ...(item.wrongAnswers.length
          ? { wrongAnswers: item.wrongAnswers.map((w) => ({ value: w.value, misconception: w.misconceptionId })) }
          : {}),
      };
    case "short_answer":
      return { ...common, answer: item.answer };
  }
}

/** The files of one subject's package, keyed by file name. */
export function curriculumFiles(data: CurriculumData, subjectId: string): Record<string, Partial<CurriculumFileSpec>> {
  const subject = data.subjects.find((s) => s.id === subjectId);
  if (!subject) throw new Error(`unknown subject "${subjectId}"`);
  const mine = <T extends { subjectId: string }>(rows: T[]) => rows.filter((r) => r.subjectId === subjectId);
  const pointsByUnit = new Map<string, CurriculumData["knowledgePoints"]>();
  for (const point of mine(data.knowledgePoints).sort((a, b) => a.order - b.order)) {
    const list = pointsByUnit.get(point.unitId) ?? [];
    list.push(point);
    pointsByUnit.set(point.unitId, list);
  }
  const prerequisitesOf = new Map<string, CurriculumData["prerequisites"]>();
  for (const edge of data.prerequisites) {
    const list = prerequisitesOf.get(edge.toId) ?? [];
    list.push(edge);
    prerequisitesOf.set(edge.toId, list);
  }
  const unitById = new Map(mine(data.units).map((u) => [u.id, u]));
  const domains = mine(data.domains);

  const manifest = {
    format: CURRICULUM_FORMAT,
    ...(subject.version ? { version: subject.version } : {}),
    subject: compact({ id: subject.id, name: subject.name, standard: subject.standard }),
    stages: mine(data.stages)
      .sort((a, b) => a.order - b.order)
      .map((s) => ({ id: s.id, name: s.name, grades: s.grades })),
    domains: domains
      .filter((d) => !d.parentCode)
      .sort((a, b) => a.order - b.order)
      .map((d) => ({
        code: d.code,
        name: d.name,
        subdomains: domains
          .filter((s) => s.parentCode === d.code)
          .sort((a, b) => a.order - b.order)
          .map((s) => ({ code: s.code, name: s.name })),
      })),
  };
  const units = mine(data.units)
    .sort((a, b) => a.grade - b.grade || a.order - b.order)
    .map((unit) =>
      compact({
        id: unit.id,
        name: unit.name,
        description: unit.description,
        grade: unit.grade,
        semester: unit.semester,
        stage: unit.stageId,
        domain: unit.domain,
        order: unit.order,
        classHours: unit.classHours,
        knowledgePoints: (pointsByUnit.get(unit.id) ?? []).map((point) =>
          compact({
            id: point.id,
            name: point.name,
            description: point.description,
            grade: point.grade !== unit.grade ? point.grade : undefined,
            domain: point.domain !== unit.domain ? point.domain : undefined,
            standardCode: point.standardCode,
            difficultyBand: point.difficultyBand,
            prerequisites: (prerequisitesOf.get(point.id) ?? []).map((e) =>
              e.strength === 1 ? e.fromId : { id: e.fromId, strength: e.strength },
            ),
          }),
        ),
      }),
    );
  for (const point of mine(data.knowledgePoints)) {
    if (!unitById.has(point.unitId)) throw new Error(`knowledge point ${point.id} names missing unit ${point.unitId}`);
  }
  return {
    "subject.yaml": manifest as Partial<CurriculumFileSpec>,
    "units.yaml": { units } as unknown as Partial<CurriculumFileSpec>,
    "items.yaml": {
      items: mine(data.items)
        .filter((i) => !i.templateId)
        .map(itemSpec),
    } as unknown as Partial<CurriculumFileSpec>,
    "item-templates.yaml": {
      itemTemplates: mine(data.itemTemplates).map(({ subjectId: _subject, knowledgePoints, ...template }) => ({
        ...template,
        knowledgePoints: refs(knowledgePoints),
      })),
    } as unknown as Partial<CurriculumFileSpec>,
    "misconceptions.yaml": {
      misconceptions: mine(data.misconceptions).map((m) =>
        compact({ id: m.id, name: m.name, description: m.description, knowledgePoints: m.knowledgePointIds, remedy: m.remedy }),
      ),
    } as unknown as Partial<CurriculumFileSpec>,
    "resources.yaml": {
      resources: mine(data.resources).map((r) =>
        compact({
          id: r.id,
          kind: r.kind,
          title: r.title,
          body: r.body,
          url: r.url,
          durationMinutes: r.durationMinutes,
          knowledgePoints: r.knowledgePointIds,
        }),
      ),
    } as unknown as Partial<CurriculumFileSpec>,
  };
}

/**
 * Exports to `target`: a directory (one package directory per subject) or, for a single subject,
 * a .yaml/.json file holding the whole package. Returns the paths written.
 */
export function writeCurriculumExport(data: CurriculumData, target: string, subjectIds: string[]): string[] {
  const written: string[] = [];
  const extension = extname(target);
  if (extension === ".yaml" || extension === ".yml" || extension === ".json") {
    if (subjectIds.length !== 1) throw new Error("a single-file export holds one subject; name a directory to export several");
    const merged: Spec = {};
    for (const part of Object.values(curriculumFiles(data, subjectIds[0] as string))) Object.assign(merged, part);
    writeFileSync(target, extension === ".json" ? `${JSON.stringify(merged, null, 2)}\n` : stringify(merged, { lineWidth: 0 }));
    return [target];
  }
  for (const subjectId of subjectIds) {
    const directory = join(target, subjectId);
    mkdirSync(directory, { recursive: true });
    for (const [name, content] of Object.entries(curriculumFiles(data, subjectId))) {
      const file = join(directory, name);
      writeFileSync(file, stringify(content, { lineWidth: 0 }));
      written.push(file);
    }
  }
  return written;
}
