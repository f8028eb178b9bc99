import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { interpret } from '../../harness/dialect.ts';
import { BUILT_IN_DIALECTS, contractDialect, netraDialect } from '../../harness/dialects/index.ts';
import { FrameStream } from '../../harness/frame-stream.ts';
import { protocolMismatch } from '../../harness/protocol-mismatch.ts';
import { Transcript } from './helpers/frames.ts';

const others = Object.values(BUILT_IN_DIALECTS);

/** A netra socket's opening frames, as the netra backend sends them (docs/netra.md). */
function netraSocket(dialect = contractDialect): Transcript {
  const t = new Transcript(1, undefined, dialect);
  t.receive(-900, {
    type: 'system_message',
    data: {
      event: 'connection_established',
      connection_id: 'c1',
      user_id: 'e2e-alice',
      connection_ready: true,
    },
    timestamp: 1_760_000_000.5,
  });
  return t;
}

describe('the netra dialect reads every variant the platform sends', () => {
  test('both handshakes, the truncated id as a prefix', () => {
    assert.deepEqual(netraSocket(netraDialect).frames[0]?.meaning, {
      kind: 'handshake',
      handshake: { userId: 'e2e-alice' },
    });
    assert.deepEqual(
      interpret(netraDialect, 'received', { type: 'connection_established', user_id: 'e2e-alic...' }),
      {
        kind: 'handshake',
        handshake: { userId: 'e2e-alic', truncated: true },
      },
    );
  });

  test('events wrapped in data or payload or spread at the root; result from data, payload or metadata', () => {
    const data = interpret(netraDialect, 'received', {
      type: 'agent_completed',
      data: { run_id: 'r1', thread_id: 't1', user_id: 'u1', result: { answer: 42 } },
      timestamp: '2025-09-07T10:00:00.123456',
      critical: true,
      attempt: null,
    });
    assert.deepEqual(data, {
      kind: 'event',
      event: {
        type: 'agent_completed',
        runId: 'r1',
        threadId: 't1',
        userId: 'u1',
        toolName: undefined,
        result: { answer: 42 },
      },
    });
    // The answer inside an object result is read as text (answerText), so the page's answer is checked against it.
    const answered = interpret(netraDialect, 'received', {
      type: 'agent_completed',
      run_id: 'r1',
      payload: { status: 'completed', result: { response: 'The release notes say…' }, message: 'done' },
    });
    assert.equal(
      answered.kind === 'event' ? netraDialect.answerText(answered.event.result) : undefined,
      'The release notes say…',
    );
    const payload = interpret(netraDialect, 'received', {
      type: 'tool_executing',
      run_id: 'r1',
      agent_name: 'triage',
      timestamp: '2025-09-07T10:00:00+00:00',
      payload: { tool_name: 'search' },
    });
    assert.equal(payload.kind === 'event' && payload.event.toolName, 'search');
    assert.equal(payload.kind === 'event' && payload.event.threadId, undefined);
    const root = interpret(netraDialect, 'received', {
      type: 'agent_thinking',
      run_id: 'r1',
      thread_id: 't1',
    });
    assert.equal(root.kind === 'event' && root.event.runId, 'r1');
  });

  test('start_agent and user_message (content or text) are the page’s messages', () => {
    const start = {
      type: 'start_agent',
      payload: { user_request: 'hi', thread_id: 't1', context: {}, settings: {} },
    };
    assert.deepEqual(interpret(netraDialect, 'sent', start), {
      kind: 'outgoing',
      message: { threadId: 't1', content: 'hi' },
    });
    const later = { type: 'user_message', payload: { text: 'again', references: [], thread_id: 't1' } };
    assert.deepEqual(interpret(netraDialect, 'sent', later), {
      kind: 'outgoing',
      message: { threadId: 't1', content: 'again' },
    });
  });

  test('an error_message is a refusal with its code; heartbeats and progress are noise', () => {
    assert.deepEqual(
      interpret(netraDialect, 'received', {
        type: 'error_message',
        error_code: 'AUTH_FAILED',
        error_message: 'bad',
      }),
      { kind: 'refusal', refusal: { code: 'AUTH_FAILED', text: 'bad' } },
    );
    for (const type of ['heartbeat', 'ping', 'progress_update', 'partial_result', 'agent_error'])
      assert.equal(interpret(netraDialect, 'received', { type }).kind, 'noise', type);
  });

  test('a re-delivery differing only in attempt and timestamp is a duplicate; a thread-less event takes its run’s thread', () => {
    const t = new Transcript(1, undefined, netraDialect);
    const stream = new FrameStream(netraDialect);
    const first = stream.add(
      t.receive(10, {
        type: 'agent_started',
        data: { run_id: 'r1', thread_id: 't1' },
        attempt: null,
        timestamp: 'a',
      }),
    );
    const again = stream.add(
      t.receive(20, {
        type: 'agent_started',
        data: { run_id: 'r1', thread_id: 't1' },
        attempt: 2,
        timestamp: 'b',
      }),
    );
    const bare = stream.add(t.receive(30, { type: 'agent_thinking', run_id: 'r1', payload: {} }));
    assert.equal(first.meaning.kind, 'event');
    assert.deepEqual(again.meaning, { kind: 'duplicate', of: first.seq });
    assert.equal(bare.meaning.kind === 'event' && bare.meaning.event.threadId, 't1');
  });

  test('the token goes base64url in the subprotocol, and is read back from either form', () => {
    const token = 'aaa.bbb.ccc';
    const protocol = netraDialect.tokenProtocol(token);
    assert.equal(protocol, `jwt.${Buffer.from(token).toString('base64url')}`);
    assert.equal(netraDialect.tokenFromProtocol(protocol), token);
    assert.equal(netraDialect.tokenFromProtocol(`jwt.${token}`), token);
    assert.equal(netraDialect.tokenFromProtocol('jwt-auth'), undefined);
  });
});

describe('PROTOCOL_MISMATCH', () => {
  test('the contract dialect on a netra socket names the dialect that fits, the field it looked for, and the frame', () => {
    const t = netraSocket();
    const found = protocolMismatch(t.frames, 'handshake', contractDialect, others, 'contract');
    assert.equal(found?.code, 'PROTOCOL_MISMATCH');
    assert.match(
      found?.summary ?? '',
      /not in the configured dialect "contract" \(E2E_PROFILE=contract\); its frames fit the "netra" dialect/,
    );
    assert.match(found?.summary ?? '', /Looked for a frame with type "connection_established"/);
    assert.match(found?.summary ?? '', /handshake \(frame #1\): \{"type":"system_message"/);
  });

  test('netra events under the contract dialect after a message', () => {
    const t = new Transcript();
    t.receive(100, { type: 'agent_started', data: { run_id: 'r1', thread_id: 't1' } });
    // The contract dialect reads a typed agent_started too: no mismatch, the run's own verdicts decide.
    assert.equal(protocolMismatch(t.frames, 'event', contractDialect, others, 'contract'), undefined);
    const sent = new Transcript();
    sent.receive(0, { type: 'heartbeat' });
    sent.send('hi');
    const start = new Transcript();
    const frame = start.receive(0, {});
    const outgoing = {
      ...frame,
      direction: 'sent' as const,
      json: { type: 'start_agent', payload: { user_request: 'hi', thread_id: 't1' } },
      meaning: { kind: 'unknown' as const },
    };
    assert.equal(
      protocolMismatch([outgoing], 'outgoing', contractDialect, others, 'contract')?.code,
      'PROTOCOL_MISMATCH',
    );
  });

  test('never while the configured dialect reads what the step waits for', () => {
    const t = new Transcript();
    t.established(-900);
    t.receive(-800, { type: 'system_message', data: { event: 'connection_established', user_id: 'x' } });
    assert.equal(protocolMismatch(t.frames, 'handshake', contractDialect, others, 'contract'), undefined);
    assert.equal(
      protocolMismatch(netraSocket(netraDialect).frames, 'handshake', netraDialect, others, 'netra'),
      undefined,
    );
  });

  test('frames no built-in dialect reads are no mismatch: the step keeps waiting for its own evidence', () => {
    const t = new Transcript();
    t.receive(0, { kind: 'hello', who: 'x' });
    assert.equal(protocolMismatch(t.frames, 'handshake', contractDialect, others, 'contract'), undefined);
  });
});

describe('the answer a page must show, read from the run result by the dialect', () => {
  test('contract: payload.result is the answer, and only a string is one', () => {
    assert.equal(contractDialect.answerText('Here are your notes.'), 'Here are your notes.');
    assert.equal(contractDialect.answerText({ response: 'x' }), undefined);
    assert.equal(contractDialect.answerText(undefined), undefined);
  });

  test("netra: a string result, or the object's response; anything else is not compared", () => {
    assert.equal(netraDialect.answerText('plain'), 'plain');
    assert.equal(
      netraDialect.answerText({ response: 'from the object', status: 'completed' }),
      'from the object',
    );
    assert.equal(netraDialect.answerText({ summary: 'not the field the pages show' }), undefined);
    assert.equal(netraDialect.answerText({ response: 42 }), undefined);
  });
});
