// /login: posts the credentials to the auth service, keeps the tokens, goes to /chat.
(() => {
  const config = window.PLATFORM_CONFIG;
  const session = window.PlatformSession;
  const form = document.getElementById('login-form');
  const button = document.getElementById('sign-in');
  const alertBox = document.getElementById('login-alert');

  function showAlert(text) {
    alertBox.textContent = text;
    alertBox.hidden = false;
  }

  const reason = new URLSearchParams(location.search).get('reason');
  if (reason) showAlert(reason);

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = form.elements.email.value.trim();
    const password = form.elements.password.value;
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
      location.assign(`${config.basePath}/chat`);
    } catch {
      showAlert('Could not reach the sign-in service');
    } finally {
      button.disabled = false;
    }
  });
})();
