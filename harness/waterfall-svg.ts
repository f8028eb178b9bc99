/**
 * The run as a picture: one row per event frame, a bar from the moment the message was sent to
 * the frame's arrival in the browser, each event's budget as a mark, the socket's open and close
 * and its heartbeats as ticks, and, for a failed run, the missing or late events in red with the
 * cause code in the title. Pure: a self-contained SVG string (no fonts, scripts or links), so it
 * opens from disk and inside every report.
 */
import { AGENT_EVENTS, type AgentEventType, type Budgets } from './config.ts';
import { agentEventOf, type FrameRecord, isKeepAlive, type SocketRecord, userMessageOf } from './frames.ts';

export interface WaterfallEvent {
  type: AgentEventType;
  /** ms since the message was sent, browser clock. */
  ms: number;
  toolName?: string;
}

export interface WaterfallSocket {
  id: number;
  /** ms since the message was sent; negative when it opened before. */
  openedMs?: number;
  closedMs?: number;
  closeCode?: number;
}

export interface WaterfallInput {
  /** What the picture is of, e.g. the test's title. */
  title: string;
  timeline: readonly WaterfallEvent[];
  budgets: Budgets;
  sockets: readonly WaterfallSocket[];
  heartbeatsMs: readonly number[];
  /** The failure's cause code; absent for a passed run. */
  cause?: string;
}

export type RowState = 'ok' | 'late' | 'missing';

export interface WaterfallRow {
  label: string;
  type: AgentEventType;
  state: RowState;
  /** Arrival, ms since send; for a missing event, how long it was waited for. */
  ms: number;
  budget: number;
}

export const WATERFALL_RED = '#d1242f';
const GREEN = '#1a7f37';
const GREY = '#57606a';
const BAR = '#0969da';

const WIDTH = 960;
const LABEL_WIDTH = 250;
const RIGHT = 110;
const ROW = 22;
const TOP = 74;
const CHAR_PX = 7.3;

/** Text fit for SVG: markup characters escaped. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[char] ?? char,
  );
}

/** At most `max` characters, with an ellipsis when cut. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/** Tools started and never completed, one name per open execution. */
function openTools(timeline: readonly WaterfallEvent[]): string[] {
  const balance = new Map<string, number>();
  for (const event of timeline) {
    const tool = event.toolName ?? '(no tool_name)';
    if (event.type === 'tool_executing') balance.set(tool, (balance.get(tool) ?? 0) + 1);
    if (event.type === 'tool_completed') balance.set(tool, (balance.get(tool) ?? 0) - 1);
  }
  return [...balance].flatMap(([tool, open]) => Array.from({ length: Math.max(0, open) }, () => tool));
}

/** The rows: each event frame in arrival order, then each event that never came. */
export function waterfallRows(input: WaterfallInput): WaterfallRow[] {
  const end = waitedMs(input);
  const rows: WaterfallRow[] = input.timeline.map((event) => ({
    label: event.toolName ? `${event.type} (${event.toolName})` : event.type,
    type: event.type,
    state: event.ms > input.budgets[event.type] ? 'late' : 'ok',
    ms: event.ms,
    budget: input.budgets[event.type],
  }));
  const present = new Set(input.timeline.map((event) => event.type));
  const missing = (type: AgentEventType, label: string): WaterfallRow => ({
    label: `${label}: missing`,
    type,
    state: 'missing',
    ms: end,
    budget: input.budgets[type],
  });
  for (const type of AGENT_EVENTS) if (!present.has(type)) rows.push(missing(type, type));
  if (present.has('tool_completed')) {
    for (const tool of openTools(input.timeline))
      rows.push(missing('tool_completed', `tool_completed (${tool})`));
  }
  return rows;
}

/** How long the run was watched: its last event, heartbeat or socket close. */
function waitedMs(input: WaterfallInput): number {
  return Math.max(
    0,
    ...input.timeline.map((event) => event.ms),
    ...input.heartbeatsMs,
    ...input.sockets.flatMap((socket) => (socket.closedMs === undefined ? [] : [socket.closedMs])),
  );
}

/** A round step for axis ticks, about five across `span`. */
function tickStep(span: number): number {
  const raw = Math.max(span / 5, 1);
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 5, 10].map((factor) => factor * power).find((step) => step >= raw) ?? raw) as number;
}

const num = (value: number) => String(Math.round(value * 10) / 10);

/** The picture. */
export function waterfallSvg(input: WaterfallInput): string {
  const rows = waterfallRows(input);
  const opens = input.sockets.flatMap((socket) => (socket.openedMs === undefined ? [] : [socket.openedMs]));
  const start = Math.min(0, ...opens);
  const visibleBudgets = rows.map((row) => row.budget).filter((budget) => budget <= waitedMs(input) * 1.5);
  const end = Math.max(waitedMs(input), ...visibleBudgets, 1) * 1.05;
  const plotLeft = LABEL_WIDTH;
  const plotRight = WIDTH - RIGHT;
  const x = (ms: number) => plotLeft + ((Math.min(ms, end) - start) / (end - start)) * (plotRight - plotLeft);
  const laneY = TOP;
  const firstRowY = TOP + ROW * 1.5;
  const height = firstRowY + rows.length * ROW + 34;
  const failed = rows.some((row) => row.state !== 'ok') || input.cause !== undefined;

  const heading = input.cause ? `[${input.cause}] ${input.title}` : input.title;
  const parts: string[] = [];
  const text = (tx: number, ty: number, body: string, attrs = '') =>
    `<text x="${num(tx)}" y="${num(ty)}"${attrs}>${escapeXml(body)}</text>`;

  parts.push(
    `<rect x="0" y="0" width="${WIDTH}" height="${num(height)}" fill="#ffffff"/>`,
    text(
      12,
      22,
      clip(heading, Math.floor((WIDTH - 24) / (CHAR_PX * 1.2))),
      ` class="title" font-size="14" font-weight="bold" fill="${failed ? WATERFALL_RED : '#1f2328'}"`,
    ),
    text(
      12,
      42,
      clip(
        'ms since the message was sent, as the browser saw each frame arrive; | budget, o socket open, x close, ticks heartbeats',
        Math.floor((WIDTH - 24) / CHAR_PX),
      ),
      ` font-size="11" fill="${GREY}"`,
    ),
  );

  const step = tickStep(end - start);
  for (let tick = Math.ceil(start / step) * step; tick <= end; tick += step) {
    const tx = x(tick);
    parts.push(
      `<line x1="${num(tx)}" y1="${num(laneY - 12)}" x2="${num(tx)}" y2="${num(height - 26)}" stroke="#eaeef2"/>`,
      text(tx, height - 12, `${Math.round(tick)}`, ' font-size="10" text-anchor="middle" fill="#57606a"'),
    );
  }
  parts.push(
    `<line x1="${num(x(0))}" y1="${num(laneY - 12)}" x2="${num(x(0))}" y2="${num(height - 26)}" stroke="${GREY}" stroke-dasharray="3 2"/>`,
    text(x(0) + 3, laneY - 14, 'sent', ' font-size="10" fill="#57606a"'),
  );

  // The socket lane: open, close and heartbeats on one line above the events.
  const lane: string[] = [text(12, laneY + 4, 'agent socket', ' font-size="12" fill="#1f2328"')];
  lane.push(`<line x1="${plotLeft}" y1="${laneY}" x2="${plotRight}" y2="${laneY}" stroke="#d0d7de"/>`);
  for (const socket of input.sockets) {
    if (socket.openedMs !== undefined) {
      lane.push(
        `<circle class="socket-open" data-socket="${socket.id}" cx="${num(x(socket.openedMs))}" cy="${laneY}" r="4" fill="${GREEN}"/>`,
      );
    }
    if (socket.closedMs !== undefined) {
      const cx = x(socket.closedMs);
      lane.push(
        `<path class="socket-close" data-socket="${socket.id}" d="M${num(cx - 4)} ${laneY - 4}L${num(cx + 4)} ${laneY + 4}M${num(cx - 4)} ${laneY + 4}L${num(cx + 4)} ${laneY - 4}" stroke="${WATERFALL_RED}" stroke-width="2"/>`,
        text(
          Math.min(cx + 6, plotRight + 4),
          laneY - 6,
          `closed ${socket.closeCode ?? '?'}`,
          ` font-size="10" fill="${WATERFALL_RED}"`,
        ),
      );
    }
  }
  for (const ms of input.heartbeatsMs) {
    const hx = x(ms);
    lane.push(
      `<line class="heartbeat" x1="${num(hx)}" y1="${laneY - 5}" x2="${num(hx)}" y2="${laneY + 5}" stroke="${GREY}"/>`,
    );
  }
  parts.push(`<g class="lane">${lane.join('')}</g>`);

  rows.forEach((row, index) => {
    const y = firstRowY + index * ROW;
    const colour = row.state === 'ok' ? BAR : WATERFALL_RED;
    const width = Math.max(2, x(row.ms) - x(0));
    const bar =
      row.state === 'missing'
        ? `<rect class="bar" x="${num(x(0))}" y="${num(y - 7)}" width="${num(width)}" height="14" fill="${WATERFALL_RED}" fill-opacity="0.25" stroke="${WATERFALL_RED}" stroke-dasharray="4 2"/>`
        : `<rect class="bar" x="${num(x(0))}" y="${num(y - 7)}" width="${num(width)}" height="14" fill="${colour}"/>`;
    const budget =
      row.budget <= end
        ? `<line class="budget" x1="${num(x(row.budget))}" y1="${num(y - 10)}" x2="${num(x(row.budget))}" y2="${num(y + 10)}" stroke="#9a6700" stroke-width="2"/>`
        : text(
            plotRight + 4,
            y + 4,
            clip(`budget ${row.budget}`, Math.floor((RIGHT - 8) / (CHAR_PX * 0.85))),
            ' class="budget" font-size="10" fill="#9a6700"',
          );
    const said =
      row.state === 'missing' ? 'never arrived' : `+${row.ms} ms${row.state === 'late' ? ' late' : ''}`;
    const saidX = Math.min(x(row.ms) + 4, plotRight - said.length * CHAR_PX * 0.85);
    parts.push(
      `<g class="event" data-event="${escapeXml(row.type)}" data-state="${row.state}">`,
      text(
        12,
        y + 4,
        clip(row.label, Math.floor((LABEL_WIDTH - 20) / CHAR_PX)),
        ` font-size="12" fill="${row.state === 'ok' ? '#1f2328' : WATERFALL_RED}"`,
      ),
      bar,
      budget,
      text(saidX, y - 9, said, ` font-size="10" fill="${row.state === 'ok' ? GREY : WATERFALL_RED}"`),
      '</g>',
    );
  });

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${num(height)}" viewBox="0 0 ${WIDTH} ${num(height)}" font-family="monospace">`,
    `<title>${escapeXml(heading)}</title>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * The waterfall's input from what the recorder kept: the run's timeline, the message frame it
 * answers (its thread's last message from the page), and every socket and heartbeat on the browser's
 * clock relative to that message.
 */
export function waterfallFromRecording(recording: {
  title: string;
  threadId: string;
  timeline: readonly WaterfallEvent[];
  frames: readonly FrameRecord[];
  sockets: readonly SocketRecord[];
  budgets: Budgets;
  cause?: string;
}): WaterfallInput {
  const sent = recording.frames
    .filter((frame) => userMessageOf(frame)?.threadId === recording.threadId)
    .at(-1);
  const origin = sent?.at ?? recording.frames[0]?.at ?? 0;
  const rel = (at: number) => Math.round(at - origin);
  const heartbeatsMs = recording.frames
    .filter(
      (frame) =>
        frame.direction === 'received' &&
        (sent === undefined || frame.seq > sent.seq) &&
        isKeepAlive(frame) &&
        agentEventOf(frame) === undefined,
    )
    .map((frame) => rel(frame.at));
  return {
    title: recording.title,
    timeline: recording.timeline,
    budgets: recording.budgets,
    heartbeatsMs,
    sockets: recording.sockets.map((socket) => ({
      id: socket.id,
      ...(socket.openedAt !== undefined ? { openedMs: rel(socket.openedAt) } : {}),
      ...(socket.closedAt !== undefined ? { closedMs: rel(socket.closedAt) } : {}),
      ...(socket.closeCode !== undefined ? { closeCode: socket.closeCode } : {}),
    })),
    ...(recording.cause ? { cause: recording.cause } : {}),
  };
}
