/**
 * Reading the report's HTML back in tests: its phase sections and, per chart,
 * each series' `data-points`, `data-drawn` and the vertices of its line. Works
 * on hf's output and on Chromium's serialisation of the loaded page alike.
 */

export interface DrawnSeries {
  key: string;
  /** `data-points`: how many data points the series had. */
  points: number;
  /** `data-drawn`: how many were drawn after downsampling. */
  drawn: number;
  /** Vertices of the series' line path. */
  vertices: number;
}

export interface DrawnChart {
  title: string;
  series: DrawnSeries[];
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

/** The HTML of each phase section, by phase name. */
export function phaseSections(html: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = html.split(/<section class="phase" /).slice(1);
  for (const part of parts) {
    const name = /data-phase="([^"]*)"/.exec(part)?.[1];
    if (name !== undefined) out.set(unescape(name), part.slice(0, part.indexOf("</section>")));
  }
  return out;
}

/** Every chart in `html`, in order. */
export function drawnCharts(html: string): DrawnChart[] {
  return html.split(/<figure class="chart[^"]*">/).slice(1).map((fig) => {
    const body = fig.slice(0, fig.indexOf("</figure>"));
    const title = unescape(/<figcaption>([^<]*)<\/figcaption>/.exec(body)?.[1] ?? "");
    const series = body.split(/<g class="series[^"]*" /).slice(1).map((g) => {
      const line = /<path class="line[^"]*" d="([^"]*)"/.exec(g)?.[1] ?? "";
      return {
        key: unescape(/data-key="([^"]*)"/.exec(g)![1]),
        points: Number(/data-points="(\d+)"/.exec(g)![1]),
        drawn: Number(/data-drawn="(\d+)"/.exec(g)![1]),
        vertices: (line.match(/[ML]/g) ?? []).length,
      };
    });
    return { title, series };
  });
}

/** The chart whose caption starts with `title`; throws when there is none. */
export function chart(html: string, title: string): DrawnChart {
  const c = drawnCharts(html).find((c) => c.title.startsWith(title));
  if (c === undefined) throw new Error(`No chart '${title}' in the page`);
  return c;
}
