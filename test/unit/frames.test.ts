import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { interpret } from '../../harness/dialect.ts';
import { contractDialect } from '../../harness/dialects/contract.ts';
import {
  agentEventOf,
  describeFrame,
  endpointOf,
  establishedUserOf,
  type FrameRecord,
  parseFrame,
  userMessageOf,
} from '../../harness/frames.ts';
import { T0, Transcript } from './helpers/frames.ts';

/** A frame with `json` set directly, for shapes a real socket would rarely send. */
function frame(direction: FrameRecord['direction'], json: unknown): FrameRecord {
  return {
    seq: 1,
    socketId: 1,
    url: 'ws://h/ws',
    direction,
    at: T0,
    seenAt: 0,
    size: 0,
    json,
    meaning: interpret(contractDialect, direction, json),
    label: contractDialect.label(json),
  };
}

describe('parseFrame', () => {
  test('a JSON object frame', () => {
    const text = '{"type":"agent_started","run_id":"r1"}';
    assert.deepEqual(parseFrame({ text }), {
      size: text.length,
      json: { type: 'agent_started', run_id: 'r1' },
    });
  });

  test('a text frame that is not JSON keeps a note with the parser error and a preview', () => {
    const parsed = parseFrame({ text: 'hello there' });
    assert.equal(parsed.json, undefined);
    assert.equal(parsed.size, 11);
    assert.match(parsed.note ?? '', /^not JSON \(.+\): hello there$/);
  });

  test('a long non-JSON frame is previewed to 80 characters', () => {
    const parsed = parseFrame({ text: `<${'x'.repeat(200)}` });
    assert.ok(parsed.note?.endsWith(`: <${'x'.repeat(79)}…`), parsed.note);
  });

  test('a binary frame is noted with its size', () => {
    assert.deepEqual(parseFrame({ binarySize: 42 }), { size: 42, note: 'binary frame, 42 bytes' });
    assert.deepEqual(parseFrame({}), { size: 0, note: 'binary frame, 0 bytes' });
  });

  for (const text of ['[1,2]', '42', '"agent_started"', 'null', 'true']) {
    test(`JSON that is not an object (${text}) is kept with a note`, () => {
      const parsed = parseFrame({ text });
      assert.deepEqual(parsed.json, JSON.parse(text));
      assert.equal(parsed.note, 'JSON but not an object');
    });
  }
});

describe('agentEventOf', () => {
  test('reads the five events with run, thread, user, tool and result', () => {
    const transcript = new Transcript();
    const completed = transcript.event('agent_completed', 10, { run: 'r9', thread: 't9', user: 'u1' });
    const tool = transcript.event('tool_executing', 20, { tool: 'search' });
    const event = agentEventOf(completed);
    assert.ok(event);
    assert.equal(event.type, 'agent_completed');
    assert.equal(event.runId, 'r9');
    assert.equal(event.threadId, 't9');
    assert.equal(event.userId, 'u1');
    assert.equal(event.result, 'the answer');
    assert.equal(event.frame, completed);
    assert.equal(agentEventOf(tool)?.toolName, 'search');
  });

  test('ignores other frame types, sent frames, non-objects and notes', () => {
    const transcript = new Transcript();
    assert.equal(agentEventOf(transcript.heartbeat(1)), undefined);
    assert.equal(agentEventOf(transcript.established(2)), undefined);
    assert.equal(agentEventOf(transcript.binary(3)), undefined);
    assert.equal(agentEventOf(transcript.text(4, 'agent_started')), undefined);
    assert.equal(agentEventOf(frame('sent', { type: 'agent_started', run_id: 'r' })), undefined);
    assert.equal(agentEventOf(frame('received', ['agent_started'])), undefined);
    assert.equal(agentEventOf(frame('received', { type: 'AGENT_STARTED' })), undefined);
  });

  test('tolerates missing or odd fields', () => {
    const event = agentEventOf(frame('received', { type: 'agent_thinking', run_id: 7, payload: 'text' }));
    assert.ok(event);
    assert.equal(event.runId, undefined);
    assert.equal(event.threadId, undefined);
    assert.equal(event.toolName, undefined);
  });
});

describe('userMessageOf and establishedUserOf', () => {
  test('a sent user_message gives its thread and content', () => {
    const transcript = new Transcript();
    const sent = transcript.send('hello agent', 'thread-7');
    const message = userMessageOf(sent.frame);
    assert.deepEqual(message, { threadId: 'thread-7', content: 'hello agent', frame: sent.frame });
  });

  test('no thread, a received frame or another type is not a user message', () => {
    assert.equal(
      userMessageOf(frame('sent', { type: 'user_message', payload: { content: 'x' } })),
      undefined,
    );
    assert.equal(
      userMessageOf(frame('received', { type: 'user_message', payload: { thread_id: 't' } })),
      undefined,
    );
    assert.equal(userMessageOf(frame('sent', { type: 'ping', payload: { thread_id: 't' } })), undefined);
    assert.equal(
      userMessageOf(frame('sent', { type: 'user_message', payload: { thread_id: 't' } }))?.content,
      '',
    );
  });

  test('connection_established names the authenticated user', () => {
    const transcript = new Transcript();
    assert.equal(establishedUserOf(transcript.established(0, 'u-42')), 'u-42');
    assert.equal(establishedUserOf(frame('received', { type: 'connection_established' })), '');
    assert.equal(establishedUserOf(transcript.heartbeat(1)), undefined);
    assert.equal(
      establishedUserOf(frame('sent', { type: 'connection_established', user_id: 'u' })),
      undefined,
    );
  });
});

describe('endpointOf', () => {
  test('drops query strings and fragments (they may carry tokens)', () => {
    assert.equal(endpointOf('ws://127.0.0.1:47812/ws?token=eyJhbGciOi.secret'), 'ws://127.0.0.1:47812/ws');
    assert.equal(endpointOf('wss://api.example.com/ws#frag'), 'wss://api.example.com/ws');
  });

  test('drops trailing slashes, keeps the root', () => {
    assert.equal(endpointOf('ws://h:1/ws/'), 'ws://h:1/ws');
    assert.equal(endpointOf('ws://h:1'), 'ws://h:1/');
  });

  test('other paths stay distinct from the agent socket', () => {
    assert.notEqual(endpointOf('ws://h:1/ws/notifications'), endpointOf('ws://h:1/ws'));
  });

  test('returns a non-URL as given', () => {
    assert.equal(endpointOf('not a url'), 'not a url');
  });
});

describe('describeFrame', () => {
  test('one line with time since, direction, type, run and thread', () => {
    const transcript = new Transcript();
    const sent = transcript.send('hi', 'thread-1', 0);
    const started = transcript.event('agent_started', 125, { run: 'run-1' });
    assert.equal(describeFrame(started, T0), '+125ms ← agent_started run=run-1 thread=thread-1');
    assert.equal(describeFrame(sent.frame, T0), '+0ms → user_message');
    assert.equal(describeFrame(transcript.binary(300, 8), T0), '+300ms ← (binary frame, 8 bytes)');
  });
});
