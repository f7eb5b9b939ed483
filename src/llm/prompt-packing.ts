/**
 * Packs context chunks (the graph excerpt and the class summary) into the tokens a prompt has
 * left: the context window, minus the fixed template and skeleton, minus the tokens reserved
 * for the answer. Chunks are taken by importance, highest first; one that does not fit is
 * skipped and smaller, less important ones may still fit. The kept chunks are then laid out
 * grouped by kind, so the model reads targets before prerequisites before resources.
 */
import { CONTEXT_CHUNK_KINDS, type ContextChunk, type ContextChunkKind } from "./narrative.js";
import type { TokenCounter } from "./tokens.js";

export interface PackedChunk {
  id: string;
  kind: ContextChunkKind;
  importance: number;
  tokens: number;
}

export interface PackedContext {
  /** The kept chunks' text, one per line. */
  text: string;
  budget: number;
  /** Tokens of `text`, counted as a whole. */
  tokens: number;
  /** In the order laid out. */
  kept: PackedChunk[];
  /** Most important first. */
  dropped: PackedChunk[];
}

export interface BudgetParts {
  contextTokens: number;
  /** Reserved for the answer. */
  maxOutputTokens: number;
  /** Reserved for anything else added later (a retry's feedback). */
  reservedTokens?: number;
  /** Everything in the prompt except the packed context (template, skeleton, schema, framing). */
  templateTokens: number;
}

/** Tokens left for context: window − reserved output − other reserve − template; negative when the template alone does not fit. */
export function contextBudget({ contextTokens, maxOutputTokens, reservedTokens = 0, templateTokens }: BudgetParts): number {
  return contextTokens - maxOutputTokens - reservedTokens - templateTokens;
}

const SEPARATOR = "\n";
const KIND_ORDER = new Map<ContextChunkKind, number>(CONTEXT_CHUNK_KINDS.map((kind, index) => [kind, index]));

interface Candidate extends PackedChunk {
  text: string;
  position: number;
}

function byImportance(a: Candidate, b: Candidate): number {
  return b.importance - a.importance || a.position - b.position;
}

function layout(kept: readonly Candidate[]): Candidate[] {
  return [...kept].sort((a, b) => (KIND_ORDER.get(a.kind) as number) - (KIND_ORDER.get(b.kind) as number) || byImportance(a, b));
}

const summary = ({ id, kind, importance, tokens }: Candidate): PackedChunk => ({ id, kind, importance, tokens });

export function packContext(chunks: readonly ContextChunk[], budget: number, counter: TokenCounter): PackedContext {
  const separatorTokens = counter.count(SEPARATOR);
  const candidates: Candidate[] = chunks
    .map((chunk, position) => ({
      id: chunk.id,
      kind: chunk.kind,
      importance: chunk.importance,
      text: chunk.text,
      tokens: counter.count(chunk.text),
      position,
    }))
    .sort(byImportance);

  const kept: Candidate[] = [];
  const dropped: Candidate[] = [];
  let used = 0;
  for (const candidate of candidates) {
    const cost = candidate.tokens + (kept.length > 0 ? separatorTokens : 0);
    if (used + cost <= budget) {
      kept.push(candidate);
      used += cost;
    } else {
      dropped.push(candidate);
    }
  }

  // Chunk counts add up to the whole text's count except where BPE merges across a line break;
  // count the text itself and give up the least important chunks until it fits.
  let ordered = layout(kept);
  let text = ordered.map((chunk) => chunk.text).join(SEPARATOR);
  let tokens = counter.count(text);
  while (tokens > budget && kept.length > 0) {
    dropped.push(kept.pop() as Candidate);
    ordered = layout(kept);
    text = ordered.map((chunk) => chunk.text).join(SEPARATOR);
    tokens = counter.count(text);
  }
  return { text, budget, tokens, kept: ordered.map(summary), dropped: dropped.sort(byImportance).map(summary) };
}
