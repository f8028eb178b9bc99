/**
 * The latency trend as a picture: p50 of each event's first arrival over the last runs of one
 * env, one line per event, one column per run. Pure and self-contained (no fonts, scripts or
 * links), like the run waterfall.
 */
import { AGENT_EVENTS, type AgentEventType } from './config.ts';
import type { HistoryRun } from './latency-history.ts';
import { escapeXml } from './waterfall-svg.ts';

export const TREND_COLOURS: Record<AgentEventType, string> = {
  agent_started: '#0969da',
  agent_thinking: '#8250df',
  tool_executing: '#bf8700',
  tool_completed: '#1a7f37',
  agent_completed: '#cf222e',
};

/** How many runs the trend shows, the newest last. */
export const TREND_RUNS = 30;

const WIDTH = 960;
const HEIGHT = 360;
const LEFT = 70;
const RIGHT = 190;
const TOP = 50;
const BOTTOM = 60;

const num = (value: number) => String(Math.round(value * 10) / 10);

/** A round step for the y axis, about five across `span`. */
function niceStep(span: number): number {
  const raw = Math.max(span / 5, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((factor) => factor * power).find((step) => step >= raw) ?? raw;
}

export interface TrendInput {
  env: string;
  /** Oldest first; the picture shows them all (the caller takes the last N). */
  runs: readonly HistoryRun[];
}

export function latencyTrendSvg(input: TrendInput): string {
  const { runs } = input;
  const title = `Event latency p50, last ${runs.length} run(s) of ${input.env}`;
  const parts: string[] = [
    `<rect x="0" y="0" width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="12" y="24" font-size="14" font-weight="bold" fill="#1f2328">${escapeXml(title)}</text>`,
  ];
  const peak = Math.max(1, ...runs.flatMap((run) => [...run.events.values()].map((event) => event.p50)));
  const step = niceStep(peak);
  const top = Math.ceil(peak / step) * step;
  const plotW = WIDTH - LEFT - RIGHT;
  const plotH = HEIGHT - TOP - BOTTOM;
  const x = (index: number) => LEFT + (runs.length <= 1 ? plotW / 2 : (index / (runs.length - 1)) * plotW);
  const y = (ms: number) => TOP + plotH - (ms / top) * plotH;

  for (let tick = 0; tick <= top; tick += step) {
    parts.push(
      `<line x1="${LEFT}" y1="${num(y(tick))}" x2="${LEFT + plotW}" y2="${num(y(tick))}" stroke="#eaeef2"/>`,
      `<text x="${LEFT - 6}" y="${num(y(tick) + 4)}" font-size="10" text-anchor="end" fill="#57606a">${tick}</text>`,
    );
  }
  parts.push(
    `<text x="12" y="${num(TOP - 12)}" font-size="10" fill="#57606a">ms since the message was sent</text>`,
  );
  if (runs.length === 0) {
    parts.push(
      `<text x="${num(LEFT + plotW / 2)}" y="${num(TOP + plotH / 2)}" font-size="12" text-anchor="middle" fill="#57606a">no runs of this env in the latency history yet</text>`,
    );
  }
  // Label at most about ten runs on the x axis, always the last (tonight's).
  const every = Math.max(1, Math.ceil(runs.length / 10));
  runs.forEach((run, index) => {
    if (index % every !== 0 && index !== runs.length - 1) return;
    const label = `${run.date.slice(5, 10)} ${run.date.slice(11, 16)}`;
    parts.push(
      `<text class="run" x="${num(x(index))}" y="${HEIGHT - BOTTOM + 16}" font-size="10" text-anchor="middle" fill="#57606a">${escapeXml(label)}</text>`,
    );
  });

  AGENT_EVENTS.forEach((event, line) => {
    const colour = TREND_COLOURS[event];
    const points = runs.flatMap((run, index) => {
      const p50 = run.events.get(event)?.p50;
      return p50 === undefined ? [] : [{ x: x(index), y: y(p50), p50 }];
    });
    const path = points.map((point, index) => `${index === 0 ? 'M' : 'L'}${num(point.x)} ${num(point.y)}`);
    const dots = points.map(
      (point) =>
        `<circle cx="${num(point.x)}" cy="${num(point.y)}" r="3" fill="${colour}"><title>${event} p50 ${point.p50} ms</title></circle>`,
    );
    const last = points.at(-1);
    const legendY = TOP + line * 20;
    parts.push(
      `<g class="series" data-event="${event}">`,
      points.length > 1 ? `<path d="${path.join('')}" fill="none" stroke="${colour}" stroke-width="2"/>` : '',
      ...dots,
      `<rect x="${WIDTH - RIGHT + 16}" y="${legendY - 8}" width="10" height="10" fill="${colour}"/>`,
      `<text x="${WIDTH - RIGHT + 32}" y="${legendY + 1}" font-size="11" fill="#1f2328">${escapeXml(`${event}${last ? ` ${last.p50}` : ''}`)}</text>`,
      '</g>',
    );
  });

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="monospace">`,
    `<title>${escapeXml(title)}</title>`,
    ...parts.filter(Boolean),
    '</svg>',
    '',
  ].join('\n');
}
