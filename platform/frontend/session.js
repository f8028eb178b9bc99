// Session storage for the reference frontend: where the tokens live (private to this app),
// reading a JWT's claims, and trading a refresh token for new tokens.
(() => {
  const STORAGE_KEY = 'golden-path-reference.session';

  function load() {
    try {
      const raw = sessionStorage.getItem(STORAGE_KEY);
      const session = raw ? JSON.parse(raw) : null;
      return session && typeof session.access_token === 'string' ? session : null;
    } catch {
      return null;
    }
  }

  function save(session) {
    sessionStorage.setItem(
      STORAGE_KEY,
      JSON.stringify({ access_token: session.access_token, refresh_token: session.refresh_token || null }),
    );
  }

  function clear() {
    sessionStorage.removeItem(STORAGE_KEY);
  }

  /** The claims of a JWT (base64url JSON), or null when it cannot be read. */
  function decode(token) {
    const part = String(token).split('.')[1];
    if (!part) return null;
    try {
      const base64 = part
        .replace(/-/g, '+')
        .replace(/_/g, '/')
        .padEnd(Math.ceil(part.length / 4) * 4, '=');
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const claims = JSON.parse(new TextDecoder().decode(bytes));
      return claims && typeof claims === 'object' ? claims : null;
    } catch {
      return null;
    }
  }

  function isExpired(claims, marginMs = 0) {
    return typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now() + marginMs;
  }

  /** New tokens for the stored refresh token, saved; null when there is none or it was refused. */
  async function refresh(authUrl) {
    const current = load();
    if (!current?.refresh_token) return null;
    try {
      const res = await fetch(`${authUrl}/auth/refresh`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: current.refresh_token }),
      });
      if (!res.ok) return null;
      const body = await res.json();
      save(body);
      return load();
    } catch {
      return null;
    }
  }

  window.PlatformSession = Object.freeze({ load, save, clear, decode, isExpired, refresh });
})();
