// netra's chat page (/chat): the token from localStorage.jwt_token, sent as the
// `jwt.<base64url(token)>` subprotocol; `start_agent` first, then `user_message`; both event
// shapes read, repeats within 3 s dropped; each agent event shown as
// <li data-testid="agent-activity-item" data-event-type>, each answer as data-testid="ai-message".
// The UI faults misbehave the way this page would: its own elements, its own way back to /login.
(() => {
  const config = window.PLATFORM_CONFIG;
  const AGENT_EVENTS = [
    'agent_started',
    'agent_thinking',
    'tool_executing',
    'tool_completed',
    'agent_completed',
  ];
  const DUPLICATE_WINDOW_MS = 3000;
  const PRE_OPEN_RETRY_MS = [200, 400];
  const TOOL_EVENTS = ['tool_executing', 'tool_completed'];
  const LATE_RENDER_MS = 5000;
  const showEvents = config.fault !== 'ui-not-rendered';
  const showAnswers = showEvents && config.fault !== 'ui-events-without-answer';
  const showTools = config.fault !== 'ui-answer-without-tools';
  const $ = (id) => document.getElementById(id);
  const threadId = crypto.randomUUID();
  const seen = new Map();
  let socket = null;
  let ready = false;
  let started = false;
  let preOpenFailures = 0;
  let reconnects = 0;
  let refusal = '';
  let crashed = false;

  function leave(error) {
    // ui-stays-on-dead-chat: the refusal only turns the status red; the user is left on /chat.
    if (config.fault === 'ui-stays-on-dead-chat') {
      setReady('error');
      $('connection-status').title = error;
      return;
    }
    localStorage.removeItem('jwt_token');
    location.replace(`${config.basePath}/login${error ? `?error=${encodeURIComponent(error)}` : ''}`);
  }

  function claimsOf(token) {
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
    } catch {
      return null;
    }
  }

  function base64url(text) {
    const bytes = new TextEncoder().encode(text);
    return btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
  }

  function setReady(state) {
    ready = state === 'connected';
    $('connection-status').textContent = state;
    $('connection-status').dataset.state = state;
    $('send').disabled = !ready;
  }

  /** Both of netra's paths: fields in `data` (emitter) or in `payload` (bridge). */
  function body(frame) {
    return { ...(frame.payload || {}), ...(frame.data || {}) };
  }

  function isRepeat(frame) {
    const { timestamp, attempt, ...rest } = frame;
    const key = JSON.stringify({ ...rest, data: frame.data && { ...frame.data, timestamp: undefined } });
    const now = Date.now();
    const last = seen.get(key);
    seen.set(key, now);
    return last !== undefined && now - last < DUPLICATE_WINDOW_MS;
  }

  function answerOf(fields) {
    const result = fields.result;
    if (typeof result === 'string') return result;
    if (result && typeof result.response === 'string') return result.response;
    return String(fields.message || '');
  }

  function label(type, fields) {
    if (type === 'agent_thinking') return `Thinking: ${fields.reasoning || ''}`;
    if (type === 'tool_executing') return `Using ${fields.tool_name || 'a tool'}`;
    if (type === 'tool_completed') return `${fields.tool_name || 'Tool'} done`;
    return type === 'agent_started' ? 'Agent started' : 'Agent completed';
  }

  function render(frame) {
    const fields = body(frame);
    if (frame.type === 'agent_thinking' && config.fault === 'ui-throws' && !crashed) {
      crashed = true;
      setTimeout(() => {
        throw new Error('chat renderer crashed');
      });
    }
    if (showEvents && (showTools || !TOOL_EVENTS.includes(frame.type))) {
      const item = document.createElement('li');
      item.dataset.testid = 'agent-activity-item';
      item.dataset.eventType = frame.type;
      item.textContent = label(frame.type, fields);
      $('activity').append(item);
    }
    if (!showAnswers || frame.type !== 'agent_completed') return;
    // ui-shows-other-answer: another user's answer, shown just before this run's own.
    if (config.fault === 'ui-shows-other-answer' && typeof fields.foreign_answer === 'string')
      showAnswer(fields.foreign_answer);
    showAnswer(answerOf(fields));
  }

  function showAnswer(text) {
    const answer = document.createElement('li');
    answer.dataset.testid = 'ai-message';
    answer.textContent = text;
    $('messages').append(answer);
  }

  function onFrame(data) {
    if (typeof data !== 'string') return;
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    const established =
      frame.type === 'connection_established' ||
      (frame.type === 'system_message' && frame.data && frame.data.event === 'connection_established');
    if (established) {
      preOpenFailures = 0;
      reconnects = 0;
      setReady('connected');
    } else if (frame.type === 'error_message') {
      refusal = String(frame.error_message || frame.error_code || '');
    } else if (AGENT_EVENTS.includes(frame.type) && !isRepeat(frame)) {
      if (config.fault === 'ui-renders-late') setTimeout(() => render(frame), LATE_RENDER_MS);
      else render(frame);
    }
  }

  function onClose(event, opened) {
    socket = null;
    setReady(opened ? 'reconnecting' : 'connecting');
    if (event.code === 1008 || event.code === 1011)
      return leave(refusal || event.reason || 'session rejected');
    if (!opened) {
      const wait = PRE_OPEN_RETRY_MS[preOpenFailures];
      preOpenFailures += 1;
      if (wait === undefined) return leave('could not connect to the agent service');
      setTimeout(connect, wait);
      return;
    }
    if (config.fault === 'ui-never-reconnects') return setReady('disconnected');
    setTimeout(connect, Math.min(250 * 2 ** reconnects, 2000));
    reconnects += 1;
  }

  function connect() {
    const token = localStorage.getItem('jwt_token');
    if (!token) return leave('');
    let opened = false;
    const ws = new WebSocket(config.wsUrl, ['jwt-auth', `jwt.${base64url(token)}`]);
    socket = ws;
    ws.addEventListener('open', () => {
      opened = true;
    });
    ws.addEventListener('message', (event) => onFrame(event.data));
    ws.addEventListener('close', (event) => onClose(event, opened));
  }

  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = $('message').value.trim();
    if (!text || !socket || !ready) return;
    const message = started
      ? { type: 'user_message', payload: { content: text, references: [], thread_id: threadId } }
      : {
          type: 'start_agent',
          payload: { user_request: text, thread_id: threadId, context: {}, settings: {} },
        };
    started = true;
    socket.send(JSON.stringify(message));
    const mine = document.createElement('li');
    mine.className = 'user-message';
    mine.textContent = text;
    $('messages').append(mine);
    $('message').value = '';
  });

  window.addEventListener('pagehide', () => socket?.close(1000, 'page closed'));

  const token = localStorage.getItem('jwt_token');
  const claims = token && claimsOf(token);
  if (!token) {
    if (config.fault === 'ui-stays-on-dead-chat') leave('not signed in');
    else location.replace(`${config.basePath}/login`);
  } else if (!claims) {
    leave('session rejected');
  } else if (typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now()) {
    leave('session expired');
  } else {
    $('user-email').textContent = claims.email || claims.sub || '';
    connect();
  }
})();
