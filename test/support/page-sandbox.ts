/**
 * Runs the reference frontend's own page scripts, as served, in a `vm` context with just enough
 * of a browser for them: elements found by id, `location` and `history` that record every
 * navigation, `sessionStorage` and `localStorage`, `fetch`, and `WebSocket` backed by `ws` (its event API is the
 * browser's). Lets the platform's self-test prove what a page does with a socket without
 * starting a browser. Waits end when the page changes, or at a deadline.
 */
import vm from 'node:vm';
import { request } from 'undici';
import WsWebSocket from 'ws';

type Listener = (event: unknown) => void;
type Scope = Events & Record<string, unknown>;

class Events {
  private readonly listeners = new Map<string, Set<Listener>>();

  addEventListener(type: string, listener: Listener, options?: { signal?: AbortSignal }): void {
    const set = this.listeners.get(type) ?? new Set<Listener>();
    this.listeners.set(type, set);
    set.add(listener);
    options?.signal?.addEventListener('abort', () => set.delete(listener), { once: true });
  }

  removeEventListener(type: string, listener: Listener): void {
    this.listeners.get(type)?.delete(listener);
  }

  dispatch(type: string, event: Record<string, unknown> = {}): void {
    for (const listener of [...(this.listeners.get(type) ?? [])])
      listener({ type, preventDefault: () => undefined, ...event });
  }
}

export class FakeElement extends Events {
  readonly dataset: Record<string, string> = {};
  readonly children: FakeElement[] = [];
  id = '';
  className = '';
  textContent = '';
  title = '';
  value = '';
  hidden = false;
  disabled = false;

  constructor(
    readonly tagName: string,
    private readonly changed: () => void,
  ) {
    super();
  }

  append(...nodes: FakeElement[]): void {
    this.children.push(...nodes);
    this.changed();
  }

  replaceChildren(): void {
    this.children.length = 0;
    this.changed();
  }

  focus(): void {}

  /** This element and every descendant, depth first. */
  all(): FakeElement[] {
    return [this, ...this.children.flatMap((child) => child.all())];
  }
}

export interface Navigation {
  how: 'assign' | 'replace' | 'pushState' | 'replaceState';
  url: string;
}

export interface PageOptions {
  /** Saved through the page's own session store before the page's scripts after it run. */
  session?: { access_token: string; refresh_token?: string | null };
  /** `localStorage` as the page finds it (netra's pages keep their token there). */
  localStorage?: Record<string, string>;
}

/** A Web Storage over a map. */
function storageOf(storage: Map<string, string>) {
  return {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => storage.set(key, String(value)),
    removeItem: (key: string) => storage.delete(key),
  };
}

export class PageSandbox {
  readonly navigations: Navigation[] = [];
  readonly sockets: WsWebSocket[] = [];
  readonly errors: unknown[] = [];
  private readonly elements = new Map<string, FakeElement>();
  private readonly waiters = new Set<() => void>();
  /** The page's pending timers: an unloaded page runs none (a token refresh is minutes away). */
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly window: Scope;
  private readonly document: Scope;
  private url: URL;
  private unloaded = false;

  private constructor(
    readonly origin: string,
    path: string,
    bodyView: string | undefined,
    local: Record<string, string> = {},
  ) {
    this.url = new URL(path, origin);
    const changed = () => this.changed();
    const page = this;
    const storage = new Map<string, string>();
    this.document = Object.assign(new Events(), {
      body: { dataset: bodyView ? { view: bodyView } : {} },
      getElementById: (id: string) => page.element(id),
      createElement: (tag: string) => new FakeElement(tag, changed),
    }) as unknown as Scope;
    const navigate = (how: Navigation['how']) => (url: string) => page.navigate(how, url);
    this.window = Object.assign(new Events(), {
      document: this.document,
      location: {
        get href() {
          return page.url.href;
        },
        get pathname() {
          return page.url.pathname;
        },
        get search() {
          return page.url.search;
        },
        assign: navigate('assign'),
        replace: navigate('replace'),
      },
      history: {
        pushState: (_state: unknown, _title: string, url: string) => page.navigate('pushState', url),
        replaceState: (_state: unknown, _title: string, url: string) => page.navigate('replaceState', url),
      },
      sessionStorage: storageOf(storage),
      localStorage: storageOf(new Map(Object.entries(local))),
      WebSocket: this.socketClass(),
      fetch,
      crypto: globalThis.crypto,
      atob,
      btoa,
      TextDecoder,
      TextEncoder,
      URLSearchParams,
      URL,
      AbortController,
      setTimeout: (fn: () => void, ms?: number) => {
        const timer = setTimeout(() => {
          page.timers.delete(timer);
          if (page.unloaded) return;
          try {
            fn();
          } catch (error) {
            page.errors.push(error);
          }
        }, ms);
        page.timers.add(timer);
        return timer;
      },
      clearTimeout: (timer: NodeJS.Timeout) => {
        page.timers.delete(timer);
        clearTimeout(timer);
      },
      console,
    }) as unknown as Scope;
    this.window.window = this.window;
    vm.createContext(this.window);
  }

  /** Loads `path` from the frontend: its HTML for the script list, then each script, in order. */
  static async open(origin: string, path: string, options: PageOptions = {}): Promise<PageSandbox> {
    const html = await (await request(new URL(path, origin))).body.text();
    const bodyView = /<body[^>]*data-view="([^"]+)"/.exec(html)?.[1];
    const page = new PageSandbox(origin, path, bodyView, options.localStorage);
    for (const [, src = ''] of html.matchAll(/<script src="([^"]+)"/g)) {
      const code = await (await request(new URL(src, origin))).body.text();
      vm.runInContext(code, page.window, { filename: src });
      if (src.endsWith('session.js') && options.session !== undefined) {
        (page.window.PlatformSession as { save(s: unknown): void }).save(options.session);
      }
    }
    page.document.dispatch('DOMContentLoaded');
    return page;
  }

  /** Timers the page has set and that have not run: with none and no open socket, the page does nothing more. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  get path(): string {
    return `${this.url.pathname}${this.url.search}`;
  }

  element(id: string): FakeElement {
    let element = this.elements.get(id);
    if (element === undefined) {
      element = new FakeElement('div', () => this.changed());
      element.id = id;
      this.elements.set(id, element);
    }
    return element;
  }

  /** Elements below `id` with `data-testid`. */
  byTestId(id: string, testId: string): FakeElement[] {
    return this.element(id)
      .all()
      .filter((element) => element.dataset.testid === testId);
  }

  /** Resolves once `check` is truthy (re-checked on every change of the page), or rejects at the deadline. */
  until<T>(check: () => T | undefined | false, what: string, timeoutMs = 8000): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value !== undefined && value !== false) {
          done();
          resolve(value);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${what}: not within ${timeoutMs} ms (page at ${this.path})`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(attempt);
      };
      this.waiters.add(attempt);
      attempt();
    });
  }

  /** Submits the composer with `content`, as a user typing and pressing Send. */
  sendMessage(content: string): void {
    this.element('message').value = content;
    this.element('composer').dispatch('submit');
  }

  close(): void {
    if (!this.unloaded) this.window.dispatch('pagehide');
    this.unloaded = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.terminate();
  }

  private navigate(how: Navigation['how'], url: string): void {
    this.navigations.push({ how, url });
    this.url = new URL(url, this.url);
    // A full navigation ends this document: the real browser would unload it.
    if (how === 'assign' || how === 'replace') this.close();
    this.changed();
  }

  private changed(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private socketClass(): unknown {
    const page = this;
    return class BrowserWebSocket extends WsWebSocket {
      constructor(url: string, protocols?: string[]) {
        super(url, protocols);
        // A browser reports a failed socket by its close event; ws also emits `error`.
        this.on('error', () => undefined);
        page.sockets.push(this);
        // An unloaded page runs no script: a socket its last promise opens does not live.
        if (page.unloaded) this.terminate();
        this.on('close', () => page.changed());
        this.on('message', () => setImmediate(() => page.changed()));
        page.changed();
      }
    };
  }
}
