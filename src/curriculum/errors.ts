/** Problems found in curriculum files, each naming file, path, line and the entity at fault. */

export type CurriculumIssueCode =
  | "READ_ERROR"
  | "PARSE_ERROR"
  | "INVALID_VALUE"
  | "MISSING_MANIFEST"
  | "DUPLICATE_ID"
  | "UNKNOWN_REFERENCE"
  | "PREREQUISITE_CYCLE"
  | "INVALID_ANSWER"
  | "TEMPLATE_ERROR"
  | "REMOVAL_BREAKS_REFERENCE";

export interface CurriculumIssue {
  code: CurriculumIssueCode;
  message: string;
  file: string;
  /** Location inside the file, e.g. `units[2].knowledgePoints[0].prerequisites[1]`. */
  path: string;
  line?: number;
  column?: number;
  /** The id of the entity the problem is in, when there is one. */
  id?: string;
}

export class CurriculumValidationError extends Error {
  constructor(readonly issues: CurriculumIssue[]) {
    super(
      `${issues.length} problem${issues.length === 1 ? "" : "s"} in the curriculum:\n${issues
        .slice(0, 50)
        .map(formatIssue)
        .join("\n")}${issues.length > 50 ? `\n… and ${issues.length - 50} more` : ""}`,
    );
    this.name = "CurriculumValidationError";
  }
}

export function formatIssue(issue: CurriculumIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}:${issue.column ?? 1}` : issue.file;
  const path = issue.path ? ` ${issue.path}` : "";
  const id = issue.id ? ` [${issue.id}]` : "";
  return `  ${where}${path}${id}: ${issue.message} (${issue.code})`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text ? `.${String(part)}` : String(part);
  }
  return text;
}
