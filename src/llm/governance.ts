/**
 * The schools' rules for LLM use, enforced in code:
 * - which models may be called (allow and deny patterns), checked before any call;
 * - no student identifier in anything sent: the final outgoing prompt is scanned for the
 *   identifiers the caller names, on top of request types that carry only aggregates;
 * - an append-only audit log of every call, with a hash of the prompt but never its text;
 * - generated text is a distinct type (`GeneratedText`), not a string, so it cannot be passed
 *   where grading, mastery or attempts take text. A test also checks that src/bkt, src/graph
 *   and the grading and learning services never import src/llm.
 */
import { createHash } from "node:crypto";
import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";

declare const generatedTextBrand: unique symbol;

/**
 * Text written by a model or by the offline generator. At run time it is a plain string (so a
 * narrative serialises to ordinary JSON), but the type is not assignable to `string`: it can be
 * shown to a teacher through `readGeneratedText`, and nothing that grades or records learning
 * accepts it.
 */
export interface GeneratedText {
  readonly [generatedTextBrand]: true;
}

export function asGeneratedText(text: string): GeneratedText {
  return text as unknown as GeneratedText;
}

/** For display and export only (Markdown, the teacher's view). */
export function readGeneratedText(text: GeneratedText): string {
  return text as unknown as string;
}

// ---------------------------------------------------------------- model allow and deny lists

export interface ModelPolicy {
  /** Patterns (`*` matches any run of characters, case-insensitive); empty allows every model not denied. */
  allowModels: readonly string[];
  /** Patterns; a match refuses the model even if it is also allowed. */
  denyModels: readonly string[];
}

export class ModelNotAllowedError extends Error {
  constructor(
    readonly model: string,
    readonly reason: "denied" | "not-allowed",
    readonly pattern?: string,
  ) {
    super(
      reason === "denied"
        ? `LLM model "${model}" is denied by PATHWISE_LLM_DENY_MODELS (pattern "${pattern}"); no request was sent`
        : `LLM model "${model}" matches no pattern of PATHWISE_LLM_ALLOW_MODELS; no request was sent`,
    );
    this.name = "ModelNotAllowedError";
  }
}

function patternRegExp(pattern: string): RegExp {
  const escaped = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${escaped}$`, "i");
}

export function modelMatches(pattern: string, model: string): boolean {
  return patternRegExp(pattern).test(model);
}

/** Throws ModelNotAllowedError unless the policy admits `model`. Deny wins over allow. */
export function assertModelAllowed(model: string, policy: ModelPolicy): void {
  const denied = policy.denyModels.find((pattern) => modelMatches(pattern, model));
  if (denied !== undefined) throw new ModelNotAllowedError(model, "denied", denied);
  if (policy.allowModels.length > 0 && !policy.allowModels.some((pattern) => modelMatches(pattern, model))) {
    throw new ModelNotAllowedError(model, "not-allowed");
  }
}

// ---------------------------------------------------------------- protected identifiers

/**
 * A protected identifier was found in an outgoing prompt; nothing was sent. The message and
 * fields never repeat the identifier, because errors end up in logs.
 */
export class ProtectedIdentifierError extends Error {
  constructor(readonly occurrences: number) {
    super(`the outgoing LLM prompt contains ${occurrences} occurrence(s) of protected student identifiers; nothing was sent`);
    this.name = "ProtectedIdentifierError";
  }
}

/** NFKC (full-width forms to ASCII), lower case, one space between words: how both sides are compared. */
function normalise(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ");
}

const WORD_CHARACTER = /[a-z0-9]/;

/**
 * Finds student ids and names in text. Latin-script identifiers match as whole words ("Ann" is
 * not found in "annual", "s-1" not in "s-10"); Chinese names match anywhere, since Chinese has
 * no spaces between words. A fictional name in an item stem that equals a real student's name
 * is found too: the guard cannot tell them apart, and errs on the side of sending nothing.
 */
export class IdentifierGuard {
  private readonly identifiers: string[];

  constructor(identifiers: Iterable<string>) {
    const unique = new Set<string>();
    for (const identifier of identifiers) {
      const normalised = normalise(identifier).trim();
      if (normalised !== "") unique.add(normalised);
    }
    this.identifiers = [...unique];
  }

  get size(): number {
    return this.identifiers.length;
  }

  /** How many times protected identifiers occur in `text`. */
  occurrencesIn(text: string): number {
    if (this.identifiers.length === 0) return 0;
    const haystack = normalise(text);
    let count = 0;
    for (const identifier of this.identifiers) {
      const guardStart = WORD_CHARACTER.test(identifier.charAt(0));
      const guardEnd = WORD_CHARACTER.test(identifier.charAt(identifier.length - 1));
      for (let at = haystack.indexOf(identifier); at !== -1; at = haystack.indexOf(identifier, at + 1)) {
        const before = haystack.charAt(at - 1);
        const after = haystack.charAt(at + identifier.length);
        if (guardStart && before !== "" && WORD_CHARACTER.test(before)) continue;
        if (guardEnd && after !== "" && WORD_CHARACTER.test(after)) continue;
        count++;
      }
    }
    return count;
  }

  /** Throws ProtectedIdentifierError if any text contains a protected identifier. */
  assertAbsent(texts: Iterable<string>): void {
    let occurrences = 0;
    for (const text of texts) occurrences += this.occurrencesIn(text);
    if (occurrences > 0) throw new ProtectedIdentifierError(occurrences);
  }

  /**
   * Scans an HTTP request body as sent. A JSON body is decoded first and each string in it
   * scanned, so `\uXXXX` escapes cannot hide a name; anything else is scanned as text.
   */
  assertBodyAbsent(body: string): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      this.assertAbsent([body]);
      return;
    }
    const strings: string[] = [];
    const collect = (value: unknown): void => {
      if (typeof value === "string") strings.push(value);
      else if (Array.isArray(value)) for (const entry of value) collect(entry);
      else if (value !== null && typeof value === "object") {
        for (const [key, entry] of Object.entries(value)) {
          strings.push(key);
          collect(entry);
        }
      }
    };
    collect(parsed);
    this.assertAbsent(strings);
  }
}

// ---------------------------------------------------------------- audit log

/** Who asked: staff identifiers only (never a student's). */
export interface LlmCaller {
  userId: string;
  role: string;
  schoolId: string;
}

export type AuditOutcome = "ok" | "malformed-output" | "timeout" | "http-error" | "network-error" | "refused-identifier" | "cancelled";

/** One line of the audit log: one call to a model, or one prompt refused before it was sent. */
export interface AuditRecord {
  time: string;
  /** Groups the attempts of one generation. */
  requestId: string;
  caller: LlmCaller;
  purpose: string;
  provider: string;
  model: string;
  method?: string;
  attempt: number;
  maxAttempts: number;
  outcome: AuditOutcome;
  /** HTTP status or error class; never a response body, which may echo the prompt. */
  detail?: string;
  /** `sha256:<hex>` of the messages as sent (see promptHash). */
  promptHash?: string;
  /** Counted with tiktoken before sending. */
  promptTokens?: number;
  /** As reported by the server, when it reports usage. */
  reportedPromptTokens?: number;
  completionTokens?: number;
  durationMs: number;
}

/** sha256 of the role and content of each message, in order: the same prompt always hashes the same. */
export function promptHash(messages: readonly { role: string; content: string }[]): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify(messages.map((message) => [message.role, message.content])));
  return `sha256:${hash.digest("hex")}`;
}

/**
 * Appends JSON lines and fsyncs each before resolving, so an acknowledged record survives a
 * crash. Writes from one process are serialised; each line is one write to a file opened for
 * appending, so lines from several processes do not interleave.
 */
export class LlmAuditLog {
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  append(record: AuditRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const write = this.tail.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      const file = await open(this.path, "a", 0o600);
      try {
        await file.write(line);
        await file.sync();
      } finally {
        await file.close();
      }
    });
    // A failed write must not block the ones after it; the caller still sees its own failure.
    this.tail = write.catch(() => undefined);
    return write;
  }
}
