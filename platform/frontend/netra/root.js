// netra's `/` (frontend/app/page.tsx): a signed-in user goes on to the chat, anyone else to /login.
(() => {
  const base = window.PLATFORM_CONFIG.basePath;
  location.replace(localStorage.getItem('jwt_token') ? `${base}/chat` : `${base}/login`);
})();
