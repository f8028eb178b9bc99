// netra's /auth/callback?token=...: keep the token in localStorage.jwt_token and go to /, the chat.
(() => {
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  history.replaceState(null, '', location.pathname);
  if (!token) {
    const error = params.get('message') || 'sign-in hand-off carried no token';
    location.replace(`/login?error=${encodeURIComponent(error)}`);
    return;
  }
  localStorage.setItem('jwt_token', token);
  location.replace('/');
})();
