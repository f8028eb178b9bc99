import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Budgets } from '../../harness/config.ts';
import {
  escapeXml,
  WATERFALL_RED,
  type WaterfallInput,
  waterfallFromRecording,
  waterfallRows,
  waterfallSvg,
} from '../../harness/waterfall-svg.ts';
import { GENEROUS, T0, Transcript } from './helpers/frames.ts';

const BUDGETS: Budgets = { ...GENEROUS, agent_completed: 900 };

const passed: WaterfallInput = {
  title: 'a signed-in user chats',
  timeline: [
    { type: 'agent_started', ms: 40 },
    { type: 'agent_thinking', ms: 90 },
    { type: 'tool_executing', ms: 150, toolName: 'search' },
    { type: 'tool_completed', ms: 300, toolName: 'search' },
    { type: 'agent_completed', ms: 420 },
  ],
  budgets: BUDGETS,
  sockets: [{ id: 1, openedMs: -800 }],
  heartbeatsMs: [100, 200],
};

const rowsOf = (svg: string) => [
  ...svg.matchAll(/<g class="event" data-event="([^"]+)" data-state="([^"]+)">/g),
];

describe('waterfallRows', () => {
  it('gives one row per event frame, in arrival order, all on time', () => {
    const rows = waterfallRows(passed);
    assert.deepEqual(
      rows.map((row) => [row.label, row.state, row.ms]),
      [
        ['agent_started', 'ok', 40],
        ['agent_thinking', 'ok', 90],
        ['tool_executing (search)', 'ok', 150],
        ['tool_completed (search)', 'ok', 300],
        ['agent_completed', 'ok', 420],
      ],
    );
  });

  it('adds a missing row for an event type that never came, waited for until the socket closed', () => {
    const input = {
      ...passed,
      timeline: passed.timeline.filter((event) => event.type !== 'tool_completed'),
      sockets: [{ id: 1, openedMs: -800, closedMs: 2_000, closeCode: 1006 }],
    };
    const missing = waterfallRows(input).filter((row) => row.state === 'missing');
    assert.deepEqual(
      missing.map((row) => [row.label, row.ms]),
      [['tool_completed: missing', 2_000]],
    );
  });

  it('marks a tool left executing as missing its completion', () => {
    const input = {
      ...passed,
      timeline: [
        ...passed.timeline.slice(0, 4),
        { type: 'tool_executing' as const, ms: 350, toolName: 'fetch' },
      ],
    };
    const labels = waterfallRows(input)
      .filter((row) => row.state === 'missing')
      .map((row) => row.label);
    assert.deepEqual(labels, ['agent_completed: missing', 'tool_completed (fetch): missing']);
  });

  it('marks an event later than its budget as late', () => {
    const input = {
      ...passed,
      timeline: [...passed.timeline.slice(0, 4), { type: 'agent_completed' as const, ms: 1_200 }],
    };
    assert.equal(waterfallRows(input).at(-1)?.state, 'late');
  });
});

describe('waterfallSvg', () => {
  it('is one self-contained SVG: no scripts, links, external fonts or images', () => {
    const svg = waterfallSvg(passed);
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.doesNotMatch(svg, /<script|href=|@import|url\(|<image|<foreignObject/i);
    assert.equal(rowsOf(svg).length, 5);
    assert.ok(!svg.includes(WATERFALL_RED) || !rowsOf(svg).some(([, , state]) => state !== 'ok'));
  });

  it('puts the cause code in the title and the missing event in red', () => {
    const svg = waterfallSvg({
      ...passed,
      cause: 'EVENT_MISSING',
      timeline: passed.timeline.filter((event) => event.type !== 'tool_completed'),
    });
    assert.match(svg, /<title>\[EVENT_MISSING\] a signed-in user chats<\/title>/);
    const missing = /<g class="event" data-event="tool_completed" data-state="missing">([\s\S]*?)<\/g>/.exec(
      svg,
    );
    assert.ok(missing, 'no missing tool_completed row');
    assert.match(missing[1] ?? '', new RegExp(`<rect class="bar"[^>]*stroke="${WATERFALL_RED}"`));
    assert.match(missing[1] ?? '', /never arrived/);
  });

  it('escapes text', () => {
    const svg = waterfallSvg({ ...passed, title: 'a <b>"quoted"</b> & \'odd\' title' });
    assert.match(svg, /a &lt;b&gt;&quot;quoted&quot;&lt;\/b&gt; &amp; &apos;odd&apos; title/);
    assert.equal(escapeXml('<&>'), '&lt;&amp;&gt;');
  });

  it('draws the budgets, the socket open and close and each heartbeat', () => {
    const svg = waterfallSvg({
      ...passed,
      sockets: [{ id: 1, openedMs: -800, closedMs: 700, closeCode: 1000 }],
    });
    assert.equal((svg.match(/class="heartbeat"/g) ?? []).length, 2);
    assert.equal((svg.match(/class="socket-open"/g) ?? []).length, 1);
    assert.equal((svg.match(/class="socket-close"/g) ?? []).length, 1);
    assert.match(svg, /closed 1000/);
    // agent_completed's 900 ms budget is on the chart; the 60 s budgets are named at the edge.
    assert.match(svg, /<line class="budget"/);
    assert.match(svg, /class="budget"[^>]*>budget 60000/);
  });
});

describe('waterfallFromRecording', () => {
  it('measures sockets and heartbeats from the message the run answers', () => {
    const socket = new Transcript();
    socket.established(-700);
    socket.heartbeat(-100);
    socket.send('hello', 'thread-1', 0);
    socket.play(['agent_started', 'heartbeat', 'agent_thinking']);
    const input = waterfallFromRecording({
      title: 't',
      threadId: 'thread-1',
      timeline: [
        { type: 'agent_started', ms: 100 },
        { type: 'agent_thinking', ms: 300 },
      ],
      frames: socket.frames,
      sockets: [
        {
          id: 1,
          url: socket.url,
          pageUrl: '/chat',
          createdAt: T0 - 900,
          openedAt: T0 - 800,
          closedAt: T0 + 400,
          closeCode: 1006,
        },
      ],
      budgets: BUDGETS,
      cause: 'WS_CLOSED_EARLY',
    });
    assert.deepEqual(input.heartbeatsMs, [200]);
    assert.deepEqual(input.sockets, [{ id: 1, openedMs: -800, closedMs: 400, closeCode: 1006 }]);
    assert.equal(input.cause, 'WS_CLOSED_EARLY');
  });
});
