// /auth/callback?token=...: the OAuth-style hand-off. Store the token, take it out of the URL, go to /chat.
(() => {
  const session = window.PlatformSession;
  const base = window.PLATFORM_CONFIG.basePath;
  const token = new URLSearchParams(location.search).get('token');
  history.replaceState(null, '', location.pathname);
  if (!token) {
    location.replace(`${base}/login?reason=${encodeURIComponent('sign-in hand-off carried no token')}`);
    return;
  }
  session.save({ access_token: token, refresh_token: null });
  location.replace(`${base}/chat`);
})();
