// netra's /login: no password form, one "Access Beta" button that starts the OAuth sign-in.
// The reference has no OAuth provider: the button leads to the auth service's OAuth start,
// which answers 404; a signed-in session only comes from /auth/callback?token=<token>.
(() => {
  const config = window.PLATFORM_CONFIG;
  const box = document.getElementById('login-error');
  const error = new URLSearchParams(location.search).get('error');
  if (error) {
    box.textContent = error;
    box.hidden = false;
  }
  document.getElementById('access-beta').addEventListener('click', () => {
    const back = `${location.origin}${config.basePath}/auth/callback`;
    location.assign(`${config.authUrl}/auth/login/google?return_url=${encodeURIComponent(back)}`);
  });
})();
