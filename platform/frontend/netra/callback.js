// netra's /auth/callback?token=...: keep the token in localStorage.jwt_token and go to `/`, which
// sends a signed-in user on to the chat.
(() => {
  const base = window.PLATFORM_CONFIG.basePath;
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  history.replaceState(null, '', location.pathname);
  // login-rejects-callback: the sign-in provider refused the user, as an OAuth error sends them back.
  if (window.PLATFORM_CONFIG.fault === 'login-rejects-callback') {
    location.replace(`${base}/login?error=${encodeURIComponent('Sign-in failed: access denied')}`);
    return;
  }
  if (!token) {
    const error = params.get('message') || 'sign-in hand-off carried no token';
    location.replace(`${base}/login?error=${encodeURIComponent(error)}`);
    return;
  }
  localStorage.setItem('jwt_token', token);
  location.replace(`${base}/`);
})();
