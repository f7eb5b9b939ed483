/** The shape every benchmark suite has, and what the runner writes from it. */

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** A target from the issue, and whether lower or higher is better. */
  target?: { value: number; better: "lower" | "higher" };
  /** A reference figure (e.g. pyBKT on this machine) to print the ratio against. */
  reference?: { value: number; label: string };
  note?: string;
}

export interface Chart {
  title: string;
  unit: string;
  bars: { label: string; value: number }[];
}

export interface SuiteResult {
  suite: string;
  description: string;
  figures: Figure[];
  charts?: Chart[];
  /** Anything else worth keeping in the JSON (parameters, raw samples summary). */
  details?: Record<string, unknown>;
}

export interface SuiteContext {
  /** --data: where the shared datasets are (default ../shared/data/kt). */
  dataDir: string;
  /** Further arguments after the suite name. */
  args: string[];
  log(message: string): void;
}

export interface Suite {
  name: string;
  description: string;
  run(context: SuiteContext): Promise<SuiteResult>;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export function meetsTarget(figure: Figure): boolean | undefined {
  if (!figure.target) return undefined;
  return figure.target.better === "lower" ? figure.value <= figure.target.value : figure.value >= figure.target.value;
}
