// /auth/callback?token=...: the OAuth-style hand-off. Store the token, take it out of the URL
// (unless the callback-keeps-token shape), go to /chat.
(() => {
  const session = window.PlatformSession;
  const base = window.PLATFORM_CONFIG.basePath;
  const keepsToken = (window.PLATFORM_CONFIG.shapes || []).includes('callback-keeps-token');
  const token = new URLSearchParams(location.search).get('token');
  // The callback-keeps-token shape: an OAuth-like hand-off that leaves the token in the URL
  // and in history, as some deployments do.
  if (!keepsToken) history.replaceState(null, '', location.pathname);
  if (!token) {
    location.replace(`${base}/login?reason=${encodeURIComponent('sign-in hand-off carried no token')}`);
    return;
  }
  session.save({ access_token: token, refresh_token: null });
  if (keepsToken) location.assign(`${base}/chat`);
  else location.replace(`${base}/chat`);
})();
