// /login: posts the credentials to the auth service, keeps the tokens, goes to /chat.
window.PlatformNav.register('login', () => {
  const config = window.PLATFORM_CONFIG;
  const session = window.PlatformSession;
  const nav = window.PlatformNav;
  const form = document.getElementById('login-form');
  const button = document.getElementById('sign-in');
  const alertBox = document.getElementById('login-alert');
  const listening = new AbortController();

  function showAlert(text) {
    alertBox.textContent = text;
    alertBox.hidden = false;
  }

  alertBox.hidden = true;
  alertBox.textContent = '';
  const reason = new URLSearchParams(location.search).get('reason');
  if (reason) showAlert(reason);

  form.addEventListener(
    'submit',
    async (event) => {
      event.preventDefault();
      const email = document.getElementById('email').value.trim();
      const password = document.getElementById('password').value;
      button.disabled = true;
      try {
        const res = await fetch(`${config.authUrl}/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email, password }),
        });
        const body = await res.json().catch(() => ({}));
        if (!res.ok || typeof body.access_token !== 'string') {
          showAlert(typeof body.detail === 'string' ? body.detail : `Sign-in failed (HTTP ${res.status})`);
          return;
        }
        session.save(body);
        nav.go('/chat');
      } catch {
        showAlert('Could not reach the sign-in service');
      } finally {
        button.disabled = false;
      }
    },
    { signal: listening.signal },
  );
  return () => listening.abort();
});
