// Navigation between the sign-in and chat views. Normally each is its own document and a
// navigation loads the next one. Under the `spa` shape both live in one document and
// navigations are client-side routes (history.pushState / replaceState), which unmount the
// view being left and mount the next. Paths are the app's own (`/chat`); under a base path
// (`/app`) the address bar carries `/app/chat`.
(() => {
  const config = window.PLATFORM_CONFIG;
  const base = config.basePath;
  const spa = (config.shapes || []).includes('spa');
  const VIEW_OF_PATH = { '/login': 'login', '/chat': 'chat' };
  const mounts = {};
  let unmount = null;

  function show(pathname) {
    if (unmount) unmount();
    unmount = null;
    const own = pathname.startsWith(`${base}/`) ? pathname.slice(base.length) : pathname;
    const name = VIEW_OF_PATH[own] || 'chat';
    for (const view of Object.values(VIEW_OF_PATH))
      document.getElementById(`view-${view}`).hidden = view !== name;
    unmount = mounts[name]?.() || null;
  }

  /** Goes to the app's `path`; `replace` leaves no history entry for the page being left. */
  function go(appPath, { replace = false } = {}) {
    const path = `${base}${appPath}`;
    if (!spa) {
      if (replace) location.replace(path);
      else location.assign(path);
      return;
    }
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    show(location.pathname);
  }

  document.addEventListener('DOMContentLoaded', () => {
    const view = document.body.dataset.view;
    if (view === 'spa') {
      window.addEventListener('popstate', () => show(location.pathname));
      show(location.pathname);
    } else {
      mounts[view]?.();
    }
  });

  /** A view registers how it mounts; mounting returns how to unmount it (client-side routes only). */
  function register(name, mount) {
    mounts[name] = mount;
  }

  window.PlatformNav = Object.freeze({ register, go });
})();
