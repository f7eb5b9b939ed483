/** Writes a suite's results: JSON, a Markdown report and one SVG bar chart per chart. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Chart, type Figure, meetsTarget, type SuiteResult } from "./suite.js";

const round = (value: number) =>
  Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 1 ? value.toFixed(2) : value.toPrecision(3);

function escapeXml(text: string): string {
  return text.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c] as string);
}

/** A horizontal bar chart: readable in any browser and in GitHub's Markdown preview. */
export function barChartSvg(chart: Chart): string {
  const rowHeight = 26;
  const labelWidth = 260;
  const barWidth = 420;
  const height = 50 + chart.bars.length * rowHeight;
  const max = Math.max(...chart.bars.map((b) => b.value), Number.MIN_VALUE);
  const rows = chart.bars
    .map((bar, i) => {
      const y = 40 + i * rowHeight;
      const width = Math.max(1, (bar.value / max) * barWidth);
      return `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end">${escapeXml(bar.label)}</text>
<rect x="${labelWidth}" y="${y + 3}" width="${width.toFixed(1)}" height="${rowHeight - 8}" fill="#3b82f6"/>
<text x="${labelWidth + width + 6}" y="${y + 15}">${escapeXml(`${round(bar.value)} ${chart.unit}`)}</text>`;
    })
    .join("\n");
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 140}" height="${height}" font-family="sans-serif" font-size="13">
<text x="10" y="22" font-size="15" font-weight="bold">${escapeXml(chart.title)}</text>
${rows}
</svg>
`;
}

function figureRow(figure: Figure): string {
  const met = meetsTarget(figure);
  const target = figure.target ? `${figure.target.better === "lower" ? "≤" : "≥"} ${round(figure.target.value)} ${met ? "✅" : "❌"}` : "";
  const reference = figure.reference
    ? `${round(figure.reference.value)} (${figure.reference.label}); ratio ${round(figure.value / figure.reference.value)}`
    : "";
  return `| ${figure.name} | ${round(figure.value)} ${figure.unit} | ${target} | ${reference} | ${figure.note ?? ""} |`;
}

export function writeResults(result: SuiteResult, directory: string): string[] {
  mkdirSync(directory, { recursive: true });
  const written: string[] = [];
  const json = join(directory, `${result.suite}.json`);
  writeFileSync(json, `${JSON.stringify({ ...result, measuredAt: new Date().toISOString(), node: process.version }, null, 2)}\n`);
  written.push(json);
  const charts = (result.charts ?? []).map((chart, i) => {
    const file = `${result.suite}-${i + 1}.svg`;
    writeFileSync(join(directory, file), barChartSvg(chart));
    written.push(join(directory, file));
    return `![${chart.title}](${file})`;
  });
  const markdown = `# Benchmark: ${result.suite}

${result.description}

Measured ${new Date().toISOString()} on Node ${process.version}.

| figure | value | target | reference | note |
|---|---|---|---|---|
${result.figures.map(figureRow).join("\n")}

${charts.join("\n\n")}
`;
  const md = join(directory, `${result.suite}.md`);
  writeFileSync(md, markdown);
  written.push(md);
  return written;
}

export function printFigures(result: SuiteResult): void {
  const width = Math.max(...result.figures.map((f) => f.name.length));
  for (const figure of result.figures) {
    const met = meetsTarget(figure);
    const target = figure.target
      ? `  target ${figure.target.better === "lower" ? "≤" : "≥"} ${round(figure.target.value)} ${met ? "met" : "MISSED"}`
      : "";
    const reference = figure.reference
      ? `  ref ${round(figure.reference.value)} (${figure.reference.label}), ratio ${round(figure.value / figure.reference.value)}`
      : "";
    process.stdout.write(`${figure.name.padEnd(width)}  ${round(figure.value).padStart(10)} ${figure.unit}${target}${reference}\n`);
  }
}
