/**
 * The shape every benchmark part returns, so `npm run bench` prints one table and writes one
 * results file. A row is one figure; `reference` is what it is measured against in the same run
 * (a bare node:http server, pipelined Redis writes, COPY, certbot…), `goal` the target.
 */
export type BenchRow = {
  /** What was measured, e.g. "config.json lookup, 100,000 domains". */
  measure: string;
  /** pglite | postgres | redis | certbot | … */
  target: string;
  value: number;
  unit: string;
  /** Extra figures of the same measurement (p50, p99, rss…), by name. */
  details?: Record<string, number | string>;
  reference?: { name: string; value: number; unit: string };
  /** value / reference.value when both are rates (or reference / value for times): 1 = at the limit. */
  ratio?: number;
  /** The target, as text ("≥ 0.5 of bare", "≤ 5 s"). */
  goal?: string;
  /** Whether the goal is met, when there is one. */
  met?: boolean;
  note?: string;
};

export type BenchSection = { part: number; title: string; rows: BenchRow[]; notes?: string[] };

export type BenchPart = { part: number; name: string; run: () => Promise<BenchSection> };

const fmt = (n: number): string => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : Number(n.toPrecision(3)).toString());

export function sectionTable(section: BenchSection): string {
  const lines = [
    `\n## ${section.part}. ${section.title}`,
    '| measure | target | value | details | reference | ratio | goal |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of section.rows) {
    const details = Object.entries(r.details ?? {}).map(([k, v]) => `${k} ${typeof v === 'number' ? fmt(v) : v}`).join(', ');
    const reference = r.reference ? `${r.reference.name}: ${fmt(r.reference.value)} ${r.reference.unit}` : '';
    const goal = r.goal ? `${r.goal}${r.met === undefined ? '' : r.met ? ' ✓' : ' ✗'}` : '';
    lines.push(`| ${r.measure} | ${r.target} | ${fmt(r.value)} ${r.unit} | ${details} | ${reference} | ${r.ratio === undefined ? '' : fmt(r.ratio)} | ${goal} |`);
  }
  for (const note of section.notes ?? []) lines.push(`\n- ${note}`);
  return lines.join('\n');
}

/** Runs a part alone (its own npm script): prints its table. */
export function runAlone(part: () => Promise<BenchSection>): void {
  part().then((section) => {
    console.log(sectionTable(section));
    process.exit(0);
  }, (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
