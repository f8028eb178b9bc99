// /chat: opens the agent socket with the token as a subprotocol, sends messages, shows each
// agent event as it arrives and the answer of each run. Also opens the /presence side socket.
window.PlatformNav.register('chat', () => {
  const config = window.PLATFORM_CONFIG;
  const session = window.PlatformSession;
  const nav = window.PlatformNav;
  const shapes = new Set(config.shapes || []);
  const listening = new AbortController();
  const AGENT_EVENTS = new Set([
    'agent_started',
    'agent_thinking',
    'tool_executing',
    'tool_completed',
    'agent_completed',
  ]);
  const PRE_OPEN_RETRY_MS = [200, 400];
  const RECONNECT_BASE_MS = 250;
  const RECONNECT_MAX_MS = 2000;
  const REFRESH_MARGIN_MS = 60_000;
  const TOOL_EVENTS = new Set(['tool_executing', 'tool_completed']);
  const LATE_RENDER_MS = 5000;
  const renderEvents = config.fault !== 'ui-not-rendered';
  const renderAnswers = renderEvents && config.fault !== 'ui-events-without-answer';
  const renderTools = config.fault !== 'ui-answer-without-tools';

  const el = {
    user: document.getElementById('current-user'),
    status: document.getElementById('connection-status'),
    presence: document.getElementById('presence'),
    conversation: document.getElementById('conversation'),
    events: document.getElementById('agent-events'),
    form: document.getElementById('composer'),
    message: document.getElementById('message'),
    send: document.getElementById('send'),
    signOut: document.getElementById('sign-out'),
  };

  const threadId = crypto.randomUUID();
  let socket = null;
  let established = false;
  let everEstablished = false;
  let preOpenFailures = 0;
  let reconnects = 0;
  let leaving = false;
  let crashedOnce = false;
  let presenceSocket = null;
  let strictModeMounted = false;
  let clientReconnected = false;
  let closedByPage = null;

  function goToLogin(reason) {
    leave();
    session.clear();
    nav.go(reason ? `/login?reason=${encodeURIComponent(reason)}` : '/login', { replace: true });
  }

  /** Stops everything this view runs: sockets, timers' effects, listeners. */
  function leave() {
    leaving = true;
    listening.abort();
    if (socket) socket.close(1000, 'page closed');
    if (presenceSocket) presenceSocket.close(1000, 'page closed');
  }

  function setStatus(state) {
    el.status.textContent = state;
    el.status.dataset.state = state;
  }

  function setSendEnabled(enabled) {
    el.send.disabled = !enabled;
  }

  /** A usable access token: the stored one, refreshed when expired (or close to it) and possible. */
  async function freshToken() {
    const current = session.load();
    if (!current) return null;
    const claims = session.decode(current.access_token);
    if (!claims) return null;
    if (!session.isExpired(claims)) return current.access_token;
    const renewed = await session.refresh(config.authUrl);
    return renewed ? renewed.access_token : null;
  }

  function scheduleRefresh() {
    const current = session.load();
    const claims = current && session.decode(current.access_token);
    if (!current?.refresh_token || !claims || typeof claims.exp !== 'number') return;
    const wait = Math.max(0, claims.exp * 1000 - Date.now() - REFRESH_MARGIN_MS);
    setTimeout(async () => {
      if (leaving) return;
      if (await session.refresh(config.authUrl)) scheduleRefresh();
    }, wait);
  }

  function eventText(type, payload) {
    switch (type) {
      case 'agent_started':
        return 'Agent started';
      case 'agent_thinking':
        return `Thinking: ${payload.thought ?? ''}`;
      case 'tool_executing':
        return `Running tool ${payload.tool_name ?? ''}`;
      case 'tool_completed':
        return `Tool ${payload.tool_name ?? ''} finished`;
      default:
        return 'Agent completed';
    }
  }

  function renderAgentEvent(frame) {
    const payload = frame.payload && typeof frame.payload === 'object' ? frame.payload : {};
    if (frame.type === 'agent_thinking' && config.fault === 'ui-throws' && !crashedOnce) {
      crashedOnce = true;
      setTimeout(() => {
        throw new Error('chat renderer crashed');
      });
    }
    if (renderEvents && (renderTools || !TOOL_EVENTS.has(frame.type))) {
      const item = document.createElement('li');
      item.dataset.testid = 'agent-event';
      item.dataset.eventType = frame.type;
      if (typeof frame.run_id === 'string') item.dataset.runId = frame.run_id;
      item.textContent = eventText(frame.type, payload);
      el.events.append(item);
    }
    if (renderAnswers && frame.type === 'agent_completed') {
      // ui-shows-other-answer: another user's answer, shown just before this run's own.
      if (config.fault === 'ui-shows-other-answer' && typeof payload.foreign_answer === 'string')
        appendAnswer(undefined, payload.foreign_answer);
      appendAnswer(frame.run_id, String(payload.result ?? ''));
    }
  }

  function appendAnswer(runId, text) {
    const answer = document.createElement('li');
    const response = document.createElement('div');
    response.className = 'agent-response';
    response.dataset.testid = 'agent-response';
    if (typeof runId === 'string') response.dataset.runId = runId;
    response.textContent = text;
    answer.append(response);
    el.conversation.append(answer);
  }

  function onFrame(data) {
    if (typeof data !== 'string') return; // binary frames are allowed and ignored
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!frame || typeof frame !== 'object') return;
    if (frame.type === 'connection_established') {
      if (shapes.has('client-reconnect') && !clientReconnected) {
        // The client-reconnect shape: the page drops its first authenticated socket itself, once.
        clientReconnected = true;
        closedByPage = socket;
        socket.close(1000, 'client reconnect');
        return;
      }
      established = true;
      everEstablished = true;
      preOpenFailures = 0;
      reconnects = 0;
      setStatus('connected');
      setSendEnabled(true);
    } else if (AGENT_EVENTS.has(frame.type)) {
      if (config.fault === 'ui-renders-late') setTimeout(() => renderAgentEvent(frame), LATE_RENDER_MS);
      else renderAgentEvent(frame);
    }
  }

  /** Back to sign-in after a refusal or, under ui-stays-on-dead-chat, an error status on the dead chat. */
  function refused(reason) {
    if (config.fault !== 'ui-stays-on-dead-chat') {
      goToLogin(reason);
      return;
    }
    setStatus('error');
    el.status.title = reason;
  }

  function onClose(event, opened, ws) {
    socket = null;
    established = false;
    setSendEnabled(false);
    if (leaving) return;
    if (ws === closedByPage) {
      connect();
      return;
    }
    if (event.code === 1008 || (event.code === 1011 && event.reason.startsWith('auth'))) {
      refused(event.reason || 'session rejected');
      return;
    }
    if (!opened) {
      // Refused at the upgrade (e.g. 401/403) or unreachable: two retries, then back to sign-in.
      const wait = PRE_OPEN_RETRY_MS[preOpenFailures];
      preOpenFailures += 1;
      if (wait === undefined) {
        refused('could not connect to the agent service');
        return;
      }
      setStatus(everEstablished ? 'reconnecting' : 'connecting');
      setTimeout(connect, wait);
      return;
    }
    preOpenFailures = 0;
    if (config.fault === 'ui-never-reconnects') {
      setStatus('disconnected');
      return;
    }
    setStatus('reconnecting');
    const wait = Math.min(RECONNECT_BASE_MS * 2 ** reconnects, RECONNECT_MAX_MS);
    reconnects += 1;
    setTimeout(connect, wait);
  }

  async function connect() {
    if (leaving) return;
    const token = await freshToken();
    // Left while the token was fetched (a client-side route away): this view opens no socket.
    if (leaving) return;
    if (!token) {
      refused('session expired');
      return;
    }
    let opened = false;
    if (shapes.has('strict-mode') && !strictModeMounted) {
      // React StrictMode mounts twice: the first socket is closed before it opens.
      strictModeMounted = true;
      new WebSocket(config.wsUrl, ['jwt-auth', `jwt.${token}`]).close();
    }
    const ws = new WebSocket(config.wsUrl, ['jwt-auth', `jwt.${token}`]);
    ws.binaryType = 'arraybuffer';
    socket = ws;
    ws.addEventListener('open', () => {
      opened = true;
    });
    ws.addEventListener('message', (event) => onFrame(event.data));
    ws.addEventListener('close', (event) => onClose(event, opened, ws));
  }

  function connectPresence() {
    if (leaving || !config.presenceUrl) return;
    const ws = new WebSocket(config.presenceUrl);
    presenceSocket = ws;
    ws.addEventListener('message', (event) => {
      try {
        const frame = JSON.parse(event.data);
        if (frame.type === 'presence') el.presence.textContent = `${frame.online} online`;
      } catch {
        // not for us
      }
    });
    ws.addEventListener('close', () => {
      presenceSocket = null;
      if (!leaving) setTimeout(connectPresence, 2000);
    });
  }

  function appendUserMessage(content) {
    const item = document.createElement('li');
    item.className = 'user-message';
    item.dataset.testid = 'user-message';
    item.textContent = content;
    el.conversation.append(item);
  }

  el.form.addEventListener(
    'submit',
    (event) => {
      event.preventDefault();
      const content = el.message.value.trim();
      if (!content || !socket || !established || socket.readyState !== WebSocket.OPEN) return;
      socket.send(JSON.stringify({ type: 'user_message', payload: { content, thread_id: threadId } }));
      appendUserMessage(content);
      el.message.value = '';
      el.message.focus();
    },
    { signal: listening.signal },
  );

  el.signOut.addEventListener('click', () => goToLogin(''), { signal: listening.signal });
  window.addEventListener('pagehide', leave, { signal: listening.signal });

  async function start() {
    const current = session.load();
    if (!current) {
      if (config.fault === 'ui-stays-on-dead-chat') return refused('not signed in');
      leave();
      nav.go('/login', { replace: true });
      return;
    }
    const claims = session.decode(current.access_token);
    if (!claims) {
      refused('session rejected');
      return;
    }
    if (session.isExpired(claims) && !(await session.refresh(config.authUrl))) {
      refused('session expired');
      return;
    }
    const latest = session.decode(session.load().access_token) || claims;
    el.user.textContent = latest.email || latest.sub || '';
    setStatus('connecting');
    connect();
    connectPresence();
    scheduleRefresh();
  }

  // A view mounted again (client-side routes) starts with an empty conversation.
  el.conversation.replaceChildren();
  el.events.replaceChildren();
  setSendEnabled(false);
  start();
  return leave;
});
