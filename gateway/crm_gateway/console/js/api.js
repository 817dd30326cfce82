// The gateway's public API, as every front end sees it: bearer token, JSON, errors with field details.
const BASE = "/api/v1";
const TOKEN_KEY = "crm.token";
const USER_KEY = "crm.user";

class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.code = body.error || "error";
    this.details = body.details || {};
  }
}

export const session = {
  get token() { return localStorage.getItem(TOKEN_KEY); },
  get user() { return JSON.parse(localStorage.getItem(USER_KEY) || "null"); },
  start(token, user) {
    localStorage.setItem(TOKEN_KEY, token);
    localStorage.setItem(USER_KEY, JSON.stringify(user));
  },
  end() {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(USER_KEY);
  },
};

function url(path, query = {}) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.append(key, value);
  }
  const text = params.toString();
  return BASE + path + (text ? `?${text}` : "");
}

// A request whose token the server no longer accepts ends the session: the page goes to the
// login form, which brings the user back where they were (forms keep their drafts meanwhile).
function expired() {
  session.end();
  const back = location.hash && !location.hash.startsWith("#/login") ? location.hash : "";
  location.hash = "#/login" + (back ? `?next=${encodeURIComponent(back)}&expired=1` : "?expired=1");
}

export async function request(method, path, { query, body, form, raw } = {}) {
  const headers = {};
  if (session.token) headers.Authorization = `Bearer ${session.token}`;
  let payload;
  if (form) payload = form;
  else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const response = await fetch(url(path, query), { method, headers, body: payload });
  if (response.status === 401 && path !== "/auth/login") {
    expired();
    const error = new ApiError(401, { message: "Сессия истекла, войдите снова" });
    error.expired = true;
    throw error;
  }
  if (raw) {
    if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => ({})));
    return response;
  }
  const data = response.status === 204 ? null : await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(response.status, data || {});
  return data;
}

export const api = {
  get: (path, query) => request("GET", path, { query }),
  post: (path, body) => request("POST", path, { body: body ?? {} }),
  patch: (path, body) => request("PATCH", path, { body }),
  upload: (path, form) => request("POST", path, { form }),
};

// Files the API serves behind the token (CSV, XLSX, documents): fetched, then saved by the browser.
export async function download(path, query, filename) {
  const response = await request("GET", path, { query, raw: true });
  const blob = await response.blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}
