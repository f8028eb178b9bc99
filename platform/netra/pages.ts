/** netra's frontend (docs/netra.md §8): its own pages in frontend/netra/, `/` sending a signed-in user to `/chat`, anyone else to `/login`. */

const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';

export const NETRA_PAGES: Record<string, { file: string; type: string }> = {
  '/': { file: 'netra/index.html', type: HTML },
  '/chat': { file: 'netra/chat.html', type: HTML },
  '/login': { file: 'netra/login.html', type: HTML },
  '/auth/callback': { file: 'netra/callback.html', type: HTML },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/netra-root.js': { file: 'netra/root.js', type: JS },
  '/netra-login.js': { file: 'netra/login.js', type: JS },
  '/netra-callback.js': { file: 'netra/callback.js', type: JS },
  '/netra-chat.js': { file: 'netra/chat.js', type: JS },
};
