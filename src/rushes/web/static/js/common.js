// Shared by every page: the CSRF token, a JSON fetch helper, toasts, confirmations.
// Pages work as plain HTML forms; scripts only add what forms cannot do (players, drag and drop).

export function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

/** Call the JSON API; resolves to the parsed answer, rejects with the server's one-line error. */
export async function api(method, url, body) {
  const init = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
  if (method !== "GET") init.headers["X-CSRF-Token"] = csrfToken();
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  let data = null;
  try { data = await response.json(); } catch (_) { data = null; }
  if (!response.ok) {
    const message = data && data.error ? data.error : `${response.status} ${response.statusText}`;
    throw new Error(message);
  }
  return data;
}

/** A short message in the corner; text only (never HTML). */
export function toast(message, kind = "ok") {
  const box = document.createElement("div");
  box.className = `toast ${kind}`;
  box.setAttribute("role", "status");
  box.textContent = message;
  document.body.append(box);
  setTimeout(() => box.remove(), 4000);
}

// Forms that remove something ask first.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
}, true);
