/** The curriculum format's JSON Schema, generated from the zod definition (docs/curriculum.schema.json). */
import { z } from "zod";
import { CURRICULUM_FORMAT, CurriculumFile } from "./format.js";

export function curriculumJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(CurriculumFile, { target: "draft-2020-12", io: "input" }),
    $id: "https://pathwise.example/schemas/curriculum-1.json",
    title: `Pathwise curriculum file (${CURRICULUM_FORMAT})`,
    description:
      "One file of a curriculum package. A package is one file or a directory of files; exactly one file (subject.yaml) carries `format` and `subject`.",
  };
}
