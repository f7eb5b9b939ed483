/**
 * The curriculum graph's structure held in memory: every traversal (prerequisite closure,
 * dependents, learning paths, candidate items) reads this, never the database.
 *
 * Layout: points and items are numbered densely; adjacency is CSR (an offsets array and a
 * targets array per direction) in typed arrays, so a closure query touches contiguous memory
 * and allocates only its result. Rebuilt from the store at start and after every import.
 * Size guidance is in docs/graph-model.md ("How large can the curriculum grow before the
 * in-memory index must change").
 */
import type { GraphSnapshot } from "./store.js";

export interface PointInfo {
  id: string;
  subjectId: string;
  unitId: string;
  grade: number;
  difficultyBand: number;
  order: number;
}

export interface WeightedLink {
  id: string;
  weight: number;
}

interface Csr {
  offsets: Int32Array;
  targets: Int32Array;
  weights: Float64Array;
}

function buildCsr(count: number, sources: Int32Array, targets: Int32Array, weights: Float64Array): Csr {
  const offsets = new Int32Array(count + 1);
  for (let i = 0; i < sources.length; i++) {
    const slot = (sources[i] as number) + 1;
    offsets[slot] = (offsets[slot] as number) + 1;
  }
  for (let i = 0; i < count; i++) offsets[i + 1] = (offsets[i + 1] as number) + (offsets[i] as number);
  const cursor = offsets.slice(0, count);
  const outTargets = new Int32Array(sources.length);
  const outWeights = new Float64Array(sources.length);
  for (let i = 0; i < sources.length; i++) {
    const source = sources[i] as number;
    const slot = cursor[source] as number;
    cursor[source] = slot + 1;
    outTargets[slot] = targets[i] as number;
    outWeights[slot] = weights[i] as number;
  }
  return { offsets, targets: outTargets, weights: outWeights };
}

function groupBy<T>(rows: readonly T[], key: (row: T) => string, value: (row: T) => string): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(value(row));
    else map.set(k, [value(row)]);
  }
  return map;
}

export class KnowledgeGraphIndex {
  private readonly pointIds: string[];
  private readonly pointIndex = new Map<string, number>();
  private readonly points: PointInfo[];
  /** prerequisites[p] = points p directly requires; dependents[p] = points that directly require p. */
  private readonly prerequisites: Csr;
  private readonly dependents: Csr;
  private readonly topoOrder: Int32Array;
  private readonly topoRank: Int32Array;
  private readonly visitStamp: Uint32Array;
  private stamp = 0;
  private readonly queue: Int32Array;

  private readonly itemIds: string[];
  private readonly itemIndex = new Map<string, number>();
  private readonly itemDifficulty: Uint8Array;
  private readonly itemTypes: string[];
  private readonly pointItems: Csr;
  private readonly itemPoints: Csr;
  private readonly unitPoints: Map<string, string[]>;
  private readonly resourcesByPoint: Map<string, string[]>;
  private readonly misconceptionsByPoint: Map<string, string[]>;
  private readonly misconceptionsByItem: Map<string, string[]>;
  private readonly itemsByMisconception: Map<string, string[]>;
  private dependentCounts: Int32Array | undefined;

  private constructor(snapshot: GraphSnapshot) {
    const unitOrder = new Map(snapshot.units.map((u) => [u.id, u.order]));
    this.points = snapshot.knowledgePoints.map((p) => ({ ...p }));
    this.pointIds = this.points.map((p) => p.id);
    for (const [i, id] of this.pointIds.entries()) this.pointIndex.set(id, i);
    const n = this.points.length;

    const edges = snapshot.prerequisites.filter((e) => this.pointIndex.has(e.fromId) && this.pointIndex.has(e.toId));
    const from = new Int32Array(edges.length);
    const to = new Int32Array(edges.length);
    const strength = new Float64Array(edges.length);
    edges.forEach((e, i) => {
      from[i] = this.pointIndex.get(e.fromId) as number;
      to[i] = this.pointIndex.get(e.toId) as number;
      strength[i] = e.strength;
    });
    this.prerequisites = buildCsr(n, to, from, strength);
    this.dependents = buildCsr(n, from, to, strength);
    this.visitStamp = new Uint32Array(n);
    this.queue = new Int32Array(n);

    // Kahn's algorithm; among ready points the earliest in teaching order (grade, unit, position) goes first.
    const sortKey = (i: number) => {
      const p = this.points[i] as PointInfo;
      return [p.grade, unitOrder.get(p.unitId) ?? 0, p.order, i] as const;
    };
    const before = (a: number, b: number) => {
      const ka = sortKey(a);
      const kb = sortKey(b);
      for (let k = 0; k < 4; k++) if (ka[k] !== kb[k]) return (ka[k] as number) < (kb[k] as number);
      return false;
    };
    const heap: number[] = [];
    const push = (x: number) => {
      heap.push(x);
      for (let i = heap.length - 1; i > 0; ) {
        const parent = (i - 1) >> 1;
        if (!before(heap[i] as number, heap[parent] as number)) break;
        [heap[i], heap[parent]] = [heap[parent] as number, heap[i] as number];
        i = parent;
      }
    };
    const pop = () => {
      const top = heap[0] as number;
      const last = heap.pop() as number;
      if (heap.length > 0) {
        heap[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < heap.length && before(heap[l] as number, heap[m] as number)) m = l;
          if (r < heap.length && before(heap[r] as number, heap[m] as number)) m = r;
          if (m === i) break;
          [heap[i], heap[m]] = [heap[m] as number, heap[i] as number];
          i = m;
        }
      }
      return top;
    };
    const inDegree = new Int32Array(n);
    for (let p = 0; p < n; p++) inDegree[p] = (this.prerequisites.offsets[p + 1] as number) - (this.prerequisites.offsets[p] as number);
    for (let p = 0; p < n; p++) if (inDegree[p] === 0) push(p);
    this.topoOrder = new Int32Array(n);
    this.topoRank = new Int32Array(n);
    let placed = 0;
    while (heap.length > 0) {
      const p = pop();
      this.topoRank[p] = placed;
      this.topoOrder[placed++] = p;
      for (let e = this.dependents.offsets[p] as number; e < (this.dependents.offsets[p + 1] as number); e++) {
        const d = this.dependents.targets[e] as number;
        inDegree[d] = (inDegree[d] as number) - 1;
        if (inDegree[d] === 0) push(d);
      }
    }
    if (placed !== n) throw new Error(`the stored prerequisite graph has a cycle through ${n - placed} points`);

    this.itemIds = snapshot.items.map((i) => i.id);
    for (const [i, id] of this.itemIds.entries()) this.itemIndex.set(id, i);
    this.itemDifficulty = Uint8Array.from(snapshot.items, (i) => i.difficulty);
    this.itemTypes = snapshot.items.map((i) => i.type);
    const links = snapshot.itemKnowledgePoints.filter((l) => this.itemIndex.has(l.itemId) && this.pointIndex.has(l.knowledgePointId));
    const linkItems = Int32Array.from(links, (l) => this.itemIndex.get(l.itemId) as number);
    const linkPoints = Int32Array.from(links, (l) => this.pointIndex.get(l.knowledgePointId) as number);
    const linkWeights = Float64Array.from(links, (l) => l.weight);
    this.pointItems = buildCsr(n, linkPoints, linkItems, linkWeights);
    this.itemPoints = buildCsr(this.itemIds.length, linkItems, linkPoints, linkWeights);

    this.unitPoints = groupBy(
      [...this.points].sort((a, b) => a.order - b.order),
      (p) => p.unitId,
      (p) => p.id,
    );
    this.resourcesByPoint = groupBy(
      snapshot.resourceKnowledgePoints,
      (l) => l.knowledgePointId,
      (l) => l.resourceId,
    );
    this.misconceptionsByPoint = groupBy(
      snapshot.misconceptionKnowledgePoints,
      (l) => l.knowledgePointId,
      (l) => l.misconceptionId,
    );
    this.misconceptionsByItem = groupBy(
      snapshot.itemMisconceptions,
      (l) => l.itemId,
      (l) => l.misconceptionId,
    );
    this.itemsByMisconception = groupBy(
      snapshot.itemMisconceptions,
      (l) => l.misconceptionId,
      (l) => l.itemId,
    );
  }

  static build(snapshot: GraphSnapshot): KnowledgeGraphIndex {
    return new KnowledgeGraphIndex(snapshot);
  }

  get pointCount(): number {
    return this.pointIds.length;
  }

  get itemCount(): number {
    return this.itemIds.length;
  }

  hasPoint(id: string): boolean {
    return this.pointIndex.has(id);
  }

  point(id: string): PointInfo | undefined {
    const index = this.pointIndex.get(id);
    return index === undefined ? undefined : this.points[index];
  }

  private neighbours(csr: Csr, id: string): WeightedLink[] {
    const p = this.pointIndex.get(id);
    if (p === undefined) return [];
    const result: WeightedLink[] = [];
    for (let e = csr.offsets[p] as number; e < (csr.offsets[p + 1] as number); e++) {
      result.push({ id: this.pointIds[csr.targets[e] as number] as string, weight: csr.weights[e] as number });
    }
    return result;
  }

  /** Direct prerequisites of a point, with edge strength as `weight`. */
  prerequisitesOf(id: string): WeightedLink[] {
    return this.neighbours(this.prerequisites, id);
  }

  /** Points that list this one as a direct prerequisite. */
  dependentsOf(id: string): WeightedLink[] {
    return this.neighbours(this.dependents, id);
  }

  /**
   * Every point reachable along `csr` from the start points (excluding them), within `maxDepth`
   * steps, returned in topological (teaching) order.
   */
  private closure(csr: Csr, startIds: readonly string[], maxDepth: number): string[] {
    if (++this.stamp === 0xffffffff) {
      this.visitStamp.fill(0);
      this.stamp = 1;
    }
    const stamp = this.stamp;
    const queue = this.queue;
    let head = 0;
    let tail = 0;
    for (const id of startIds) {
      const p = this.pointIndex.get(id);
      if (p !== undefined && this.visitStamp[p] !== stamp) {
        this.visitStamp[p] = stamp;
        queue[tail++] = p;
      }
    }
    const starts = tail;
    let depth = 0;
    let levelEnd = tail;
    while (head < tail && depth < maxDepth) {
      const p = queue[head++] as number;
      for (let e = csr.offsets[p] as number; e < (csr.offsets[p + 1] as number); e++) {
        const q = csr.targets[e] as number;
        if (this.visitStamp[q] !== stamp) {
          this.visitStamp[q] = stamp;
          queue[tail++] = q;
        }
      }
      if (head === levelEnd) {
        depth++;
        levelEnd = tail;
      }
    }
    const found = tail - starts;
    if (found === 0) return [];
    // Small closures sort their members by rank; large ones are cheaper to collect by one scan of the order.
    const result: string[] = new Array(found);
    if (found * 16 < this.pointIds.length) {
      const members = queue.slice(starts, tail).sort((a, b) => (this.topoRank[a] as number) - (this.topoRank[b] as number));
      for (let i = 0; i < found; i++) result[i] = this.pointIds[members[i] as number] as string;
    } else {
      for (let i = 0; i < starts; i++) this.visitStamp[queue[i] as number] = 0;
      let k = 0;
      for (let r = 0; r < this.topoOrder.length && k < found; r++) {
        const p = this.topoOrder[r] as number;
        if (this.visitStamp[p] === stamp) result[k++] = this.pointIds[p] as string;
      }
    }
    return result;
  }

  /** All direct and indirect prerequisites (basics first), optionally only `maxDepth` levels deep. */
  prerequisiteClosure(ids: string | readonly string[], maxDepth = Number.POSITIVE_INFINITY): string[] {
    return this.closure(this.prerequisites, typeof ids === "string" ? [ids] : ids, maxDepth);
  }

  /** All points that directly or indirectly build on the given ones, in teaching order. */
  dependentClosure(ids: string | readonly string[], maxDepth = Number.POSITIVE_INFINITY): string[] {
    return this.closure(this.dependents, typeof ids === "string" ? [ids] : ids, maxDepth);
  }

  /** How many points build on each point, directly or not; computed once, on first use. */
  dependentCount(id: string): number {
    const p = this.pointIndex.get(id);
    if (p === undefined) return 0;
    if (!this.dependentCounts) {
      const counts = new Int32Array(this.pointIds.length);
      for (let i = 0; i < this.pointIds.length; i++) counts[i] = this.dependentClosure(this.pointIds[i] as string).length;
      this.dependentCounts = counts;
    }
    return this.dependentCounts[p] as number;
  }

  /** Every point in a valid teaching order: each after all of its prerequisites. */
  topologicalOrder(): string[] {
    return Array.from(this.topoOrder, (p) => this.pointIds[p] as string);
  }

  /** Position of a point in topologicalOrder(); -1 when unknown. */
  topologicalRank(id: string): number {
    const p = this.pointIndex.get(id);
    return p === undefined ? -1 : (this.topoRank[p] as number);
  }

  pointsOfUnit(unitId: string): readonly string[] {
    return this.unitPoints.get(unitId) ?? [];
  }

  /** Items assessing a point, with the point's Q-matrix weight in each. */
  itemsOf(pointId: string): WeightedLink[] {
    const p = this.pointIndex.get(pointId);
    if (p === undefined) return [];
    const result: WeightedLink[] = [];
    for (let e = this.pointItems.offsets[p] as number; e < (this.pointItems.offsets[p + 1] as number); e++) {
      result.push({ id: this.itemIds[this.pointItems.targets[e] as number] as string, weight: this.pointItems.weights[e] as number });
    }
    return result;
  }

  /** The points an item assesses, with Q-matrix weights. */
  pointsOfItem(itemId: string): WeightedLink[] {
    const i = this.itemIndex.get(itemId);
    if (i === undefined) return [];
    const result: WeightedLink[] = [];
    for (let e = this.itemPoints.offsets[i] as number; e < (this.itemPoints.offsets[i + 1] as number); e++) {
      result.push({ id: this.pointIds[this.itemPoints.targets[e] as number] as string, weight: this.itemPoints.weights[e] as number });
    }
    return result;
  }

  hasItem(itemId: string): boolean {
    return this.itemIndex.has(itemId);
  }

  itemDifficultyBand(itemId: string): number | undefined {
    const i = this.itemIndex.get(itemId);
    return i === undefined ? undefined : this.itemDifficulty[i];
  }

  itemType(itemId: string): string | undefined {
    const i = this.itemIndex.get(itemId);
    return i === undefined ? undefined : this.itemTypes[i];
  }

  resourcesOf(pointId: string): readonly string[] {
    return this.resourcesByPoint.get(pointId) ?? [];
  }

  misconceptionsOf(pointId: string): readonly string[] {
    return this.misconceptionsByPoint.get(pointId) ?? [];
  }

  misconceptionsOfItem(itemId: string): readonly string[] {
    return this.misconceptionsByItem.get(itemId) ?? [];
  }

  itemsRevealing(misconceptionId: string): readonly string[] {
    return this.itemsByMisconception.get(misconceptionId) ?? [];
  }
}
