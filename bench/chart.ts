/**
 * `deno run --allow-read=docs/benchmarks.json
 * --allow-write=docs/benchmarks.svg bench/chart.ts`: draws
 * `docs/benchmarks.json` (the medians `bench/peers.ts` writes) as
 * `docs/benchmarks.svg`; with `--echo` (and read access to
 * `docs/performance.md`, write access to the JSON) it first refreshes the
 * JSON's echo rows from that file's latest echo table, without rerunning
 * the peers. The chart is a hand-written SVG of horizontal bars with no
 * dependency: ns per operation for each workload and peer on one log axis
 * (lower is better), then, if the JSON has one, the echo server's req/s
 * against raw Deno's (higher is better). It draws on a white background, so
 * it reads the same in GitHub's light and dark themes. `bench/peers.ts`
 * calls {@link renderChart} itself after a run.
 *
 * @module
 */

/** One peer: a column of the table, a colour of the chart. */
export interface PeerInfo {
  id: string;
  label: string;
}

/** One workload's medians, by peer id. */
export interface WorkloadResult {
  id: string;
  label: string;
  /** The operations per run, by peer (Effection runs fewer in some). */
  n: Record<string, number>;
  /** ns per operation on the second (warm) run in the process. */
  warmNs: Record<string, number>;
  /** ns per operation on the first (cold) run in the process. */
  coldNs: Record<string, number>;
  /** Peak RSS over the first run, in bytes. */
  rssPeak: Record<string, number>;
  /** RSS before the first run, in bytes. */
  rssStart: Record<string, number>;
}

/** A target and whether the run met it. */
export interface TargetResult {
  target: string;
  met: boolean;
  detail: string;
}

/** One row of the echo table: req/s as [low, high] over the runs. */
export interface EchoRow {
  label: string;
  ours: [number, number];
  raw: [number, number];
}

/**
 * The req/s rows of the last table of `md` (`docs/performance.md`) whose
 * head starts `| echo server` and has `ours req/s` and `raw req/s` columns:
 * a cell is a median (`45,000`) or a range over runs (`45,000–52,000`).
 */
export function echoTable(md: string): Benchmarks["echo"] {
  const lines = md.split("\n");
  const heads = lines.flatMap((l, i) =>
    l.startsWith("| echo server") ? [i] : []
  );
  if (heads.length === 0) return undefined;
  const cells = (l: string) => l.split("|").slice(1, -1).map((c) => c.trim());
  const head = cells(lines[heads.at(-1)!]);
  const oursCol = head.findIndex((h) => h.startsWith("ours req/s"));
  const rawCol = head.findIndex((h) => h.startsWith("raw req/s"));
  if (oursCol < 0 || rawCol < 0) return undefined;
  const range = (s: string): [number, number] => {
    const [a, b = a] = s.replace(/[~,]/g, "").split(/[–-]/).map(Number);
    return [a, b];
  };
  const rows: EchoRow[] = [];
  for (let i = heads.at(-1)! + 2; lines[i]?.startsWith("|"); i++) {
    const row = cells(lines[i]);
    rows.push({
      label: `${row[0]} (connections × message)`,
      ours: range(row[oursCol]),
      raw: range(row[rawCol]),
    });
  }
  const medians = rows.every((r) => r.ours[0] === r.ours[1]);
  return {
    source: "docs/performance.md",
    note: medians
      ? "From the latest echo table of docs/performance.md (bench/echo_peers.ts): the median over its rounds."
      : "From the echo table of docs/performance.md (bench/echo.ts): the range over its runs; the bar is the midpoint.",
    rows,
  };
}

/** What `docs/benchmarks.json` holds. */
export interface Benchmarks {
  date: string;
  deno: string;
  cores: number;
  rounds: number;
  peers: PeerInfo[];
  workloads: WorkloadResult[];
  targets: TargetResult[];
  echo?: { source: string; note: string; rows: EchoRow[] };
}

const COLOURS: Record<string, string> = {
  ours: "#1f6feb",
  effect: "#8250df",
  effection: "#1a7f37",
  raw: "#6e7781",
};
const FONT =
  "font-family=\"-apple-system, 'Segoe UI', Helvetica, Arial, sans-serif\"";
const WIDTH = 820;
const LEFT = 250; // the labels' column
const RIGHT = 110; // room for the values after the longest bar
const BAR = 16;
const GAP = 4;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** "850 ns", "1.86 µs", "104 µs", "1.2 ms". */
export function formatNs(ns: number): string {
  const [v, unit] = ns >= 1e6
    ? [ns / 1e6, "ms"]
    : ns >= 1e3
    ? [ns / 1e3, "µs"]
    : [ns, "ns"];
  return `${
    v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)
  } ${unit}`;
}

/** A decade's tick label: "100 ns", "1 µs", "10 µs". */
function formatTick(ns: number): string {
  return formatNs(ns).replace(/\.0+ /, " ");
}

/** A coordinate, to one decimal. */
function c(v: number): string {
  return String(Math.round(v * 10) / 10);
}

function text(
  x: number,
  y: number,
  s: string,
  attrs = "",
): string {
  return `<text x="${c(x)}" y="${c(y)}" ${attrs}>${esc(s)}</text>`;
}

/** The SVG of `data`. */
export function renderChart(data: Benchmarks): string {
  const out: string[] = [];
  let y = 28;
  out.push(
    text(
      16,
      y,
      "asyncio for Deno against its peers: ns per operation, lower is better",
      `font-size="16" font-weight="600"`,
    ),
  );
  y += 20;
  out.push(
    text(
      16,
      y,
      `Medians of ${data.rounds} interleaved rounds, each run in a fresh process (warm run) · Deno ${data.deno}, ${data.cores} cores · ${data.date} · log scale`,
      `font-size="12" fill="#57606a"`,
    ),
  );
  y += 16;
  // Legend.
  let lx = 16;
  for (const peer of data.peers) {
    out.push(
      `<rect x="${c(lx)}" y="${y}" width="12" height="12" rx="2" fill="${
        COLOURS[peer.id] ?? "#999"
      }"/>`,
    );
    out.push(text(lx + 17, y + 10.5, peer.label, `font-size="12"`));
    lx += 17 + peer.label.length * 6.6 + 18;
  }
  y += 30;

  // One log axis for every workload: from the decade below the least figure
  // to the decade above the greatest.
  const all = data.workloads.flatMap((w) => Object.values(w.warmNs));
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...all))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all))));
  const plot = WIDTH - LEFT - RIGHT;
  const xOf = (ns: number) =>
    LEFT + plot * Math.log10(ns / lo) / Math.log10(hi / lo);
  const groupH = data.peers.length * (BAR + GAP) + 22;
  const top = y;
  const bottom = top + data.workloads.length * groupH;
  for (let d = lo; d <= hi * 1.0001; d *= 10) {
    const x = xOf(d);
    out.push(
      `<line x1="${c(x)}" y1="${top - 6}" x2="${
        c(x)
      }" y2="${bottom}" stroke="#d0d7de" stroke-width="1"/>`,
    );
    out.push(
      text(
        x,
        bottom + 14,
        formatTick(d),
        `font-size="11" fill="#57606a" text-anchor="middle"`,
      ),
    );
  }
  for (const w of data.workloads) {
    out.push(text(16, y + 12, w.label, `font-size="13" font-weight="600"`));
    let by = y + 20;
    for (const peer of data.peers) {
      const ns = w.warmNs[peer.id];
      const n = w.n[peer.id];
      const note = n !== undefined && n !== maxN(w)
        ? ` (n = ${n / 1000}k)`
        : "";
      out.push(
        text(
          LEFT - 8,
          by + 12,
          peer.label + note,
          `font-size="12" text-anchor="end"`,
        ),
      );
      if (ns !== undefined) {
        const x = xOf(ns);
        out.push(
          `<rect x="${LEFT}" y="${by}" width="${
            Math.max(1, x - LEFT).toFixed(1)
          }" height="${BAR}" rx="2" fill="${COLOURS[peer.id] ?? "#999"}"/>`,
        );
        out.push(
          text(
            x + 6,
            by + 12,
            formatNs(ns),
            `font-size="12" font-weight="${peer.id === "ours" ? 600 : 400}"`,
          ),
        );
      }
      by += BAR + GAP;
    }
    y += groupH;
  }
  y = bottom + 30;
  const fewer = data.peers.filter((p) =>
    data.workloads.some((w) => w.n[p.id] < maxN(w))
  );
  if (fewer.length > 0) {
    out.push(
      text(
        16,
        y,
        `(n = …): ${
          fewer.map((p) => p.label).join(", ")
        } ran fewer operations there: at 100k it takes minutes and GBs.`,
        `font-size="11" fill="#57606a"`,
      ),
    );
    out.push(
      text(
        16,
        y + 15,
        "The sleep workload's ns/op include the 0.1 s sleep divided by n, so a smaller n there shows a higher floor.",
        `font-size="11" fill="#57606a"`,
      ),
    );
    y += 39;
  }

  if (data.echo !== undefined && data.echo.rows.length > 0) {
    y += 10;
    out.push(
      text(
        16,
        y,
        "Echo server: requests per second, higher is better",
        `font-size="16" font-weight="600"`,
      ),
    );
    y += 18;
    out.push(
      text(16, y, data.echo.note, `font-size="12" fill="#57606a"`),
    );
    y += 22;
    const max = Math.max(
      ...data.echo.rows.flatMap((r) => [r.ours[1], r.raw[1]]),
    );
    const scale = plot / max;
    const series: Array<["ours" | "raw", string]> = [
      ["ours", "asyncio for Deno (ours)"],
      ["raw", "raw Deno"],
    ];
    for (const row of data.echo.rows) {
      out.push(text(16, y + 12, row.label, `font-size="13" font-weight="600"`));
      let by = y + 20;
      for (const [id, label] of series) {
        const [a, b] = row[id];
        const mid = (a + b) / 2;
        out.push(
          text(LEFT - 8, by + 12, label, `font-size="12" text-anchor="end"`),
        );
        out.push(
          `<rect x="${LEFT}" y="${by}" width="${
            (mid * scale).toFixed(1)
          }" height="${BAR}" rx="2" fill="${COLOURS[id]}"/>`,
        );
        if (b > a) {
          // The range over the runs, as a whisker across the bar's end.
          const ya = by + BAR / 2;
          out.push(
            `<line x1="${(LEFT + a * scale).toFixed(1)}" y1="${ya}" x2="${
              (LEFT + b * scale).toFixed(1)
            }" y2="${ya}" stroke="#24292f" stroke-width="1.5"/>`,
          );
        }
        const range = a === b
          ? a.toLocaleString("en-US")
          : `${a.toLocaleString("en-US")}–${b.toLocaleString("en-US")}`;
        out.push(
          text(LEFT + b * scale + 6, by + 12, range, `font-size="12"`),
        );
        by += BAR + GAP;
      }
      y += 2 * (BAR + GAP) + 22;
    }
    y += 4;
  }
  const height = y + 12;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} fill="#24292f">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...out,
    `</svg>`,
    "",
  ].join("\n");
}

function maxN(w: WorkloadResult): number {
  return Math.max(...Object.values(w.n));
}

if (import.meta.main) {
  const json = new URL("../docs/benchmarks.json", import.meta.url);
  const svg = new URL("../docs/benchmarks.svg", import.meta.url);
  const data = JSON.parse(await Deno.readTextFile(json)) as Benchmarks;
  if (Deno.args.includes("--echo")) {
    // Refresh the echo rows from docs/performance.md, keeping the peers'.
    const md = new URL("../docs/performance.md", import.meta.url);
    data.echo = echoTable(await Deno.readTextFile(md)) ?? data.echo;
    await Deno.writeTextFile(json, JSON.stringify(data, null, 2) + "\n");
    console.log(`chart: wrote ${json.pathname}`);
  }
  await Deno.writeTextFile(svg, renderChart(data));
  console.log(`chart: wrote ${svg.pathname}`);
}
