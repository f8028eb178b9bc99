/** netra's frontend (docs/netra.md §8): its own pages in frontend/netra/, the chat at `/` as well as `/chat`. */

const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';

export const NETRA_PAGES: Record<string, { file: string; type: string }> = {
  '/': { file: 'netra/chat.html', type: HTML },
  '/chat': { file: 'netra/chat.html', type: HTML },
  '/login': { file: 'netra/login.html', type: HTML },
  '/auth/callback': { file: 'netra/callback.html', type: HTML },
  '/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' },
  '/netra-login.js': { file: 'netra/login.js', type: JS },
  '/netra-callback.js': { file: 'netra/callback.js', type: JS },
  '/netra-chat.js': { file: 'netra/chat.js', type: JS },
};
