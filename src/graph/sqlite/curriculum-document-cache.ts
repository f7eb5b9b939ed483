/**
 * Parsed curriculum documents (items, knowledge points, misconceptions …) kept between reads.
 *
 * Every answer grades against its item's document, and every response that shows a knowledge
 * point reads that point's: parsing the same JSON again on each request was a tenth of the
 * answer path's time. Curriculum documents change only by an import, and every import adds a row
 * to `curriculum_imports` in its own transaction, so a cache tagged with that revision is exact:
 * the caller reads the revision (one indexed look-up) and the cache empties itself when it moved
 * — also when another process (the CLI, a worker) imported.
 *
 * Documents handed out are shared between requests, so they are deep-frozen: code that would
 * modify one fails loudly instead of corrupting what the next request sees.
 */
import { LRUCache } from "lru-cache";

/** Default bound: characters of JSON text cached (the parsed objects take a few times more memory). */
const DEFAULT_DOCUMENT_CACHE_CHARS = 32 * 1024 * 1024;

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

export class CurriculumDocumentCache {
  private readonly documents: LRUCache<string, object>;
  private revision: number | undefined;

  /** `maxChars`: the JSON text length the cached documents may add up to (default 32 Mi characters). */
  constructor(maxChars = DEFAULT_DOCUMENT_CACHE_CHARS) {
    this.documents = new LRUCache<string, object>({ maxSize: maxChars });
  }

  /** Forgets everything when the curriculum revision differs from the one the documents were read at. */
  atRevision(revision: number): this {
    if (revision !== this.revision) {
      this.documents.clear();
      this.revision = revision;
    }
    return this;
  }

  /** The cached document of `key` in `table`, undefined when not cached. */
  get(table: string, key: string): object | undefined {
    return this.documents.get(`${table}\u0000${key}`);
  }

  /** Parses, freezes and keeps a document read from the store. */
  put(table: string, key: string, json: string): object {
    const document = deepFreeze(JSON.parse(json) as object);
    this.documents.set(`${table}\u0000${key}`, document, { size: Math.max(1, json.length) });
    return document;
  }
}
