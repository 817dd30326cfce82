// The console's shell: login, the menu for the user's role, the hash router, live notifications.
import { api, session } from "./api.js";
import { failure, h, loading, mount, toast, dateTime } from "./dom.js";
import { startLive, stopLive } from "./live.js";
import { HOME, PAGES, ROLE_NAMES, allowed } from "./roles.js";

const app = document.getElementById("app");
let unread = 0;
let liveConnected = false;

function parseHash() {
  const [path, queryText = ""] = location.hash.replace(/^#\/?/, "").split("?");
  const [page = "", ...params] = path.split("/").filter(Boolean);
  return { page, params: params.map(decodeURIComponent), query: Object.fromEntries(new URLSearchParams(queryText)) };
}

function bell() {
  const badge = h("span.badge", { id: "unread", hidden: unread === 0 }, String(unread));
  const list = h("div.dropdown", { id: "notifications", hidden: true });
  const button = h("button.link.bell", { type: "button", "aria-label": "Уведомления", on: { click: async () => {
    list.hidden = !list.hidden;
    if (list.hidden) return;
    unread = 0;
    badge.hidden = true;
    mount(list, loading());
    try {
      const items = await api.get("/notifications", { limit: 20 });
      mount(list, items.length ? items.map((n) => h("div.note", h("small", dateTime(n.created_at)), h("p", n.body)))
                                : h("p.empty", "Уведомлений нет"));
    } catch (error) { mount(list, failure(error)); }
  } } }, "Уведомления ", badge);
  return h("div.bell-box", button, list);
}

function shell(user, current) {
  const menu = PAGES.filter((page) => page[2] && allowed(page, user.role)).map(([key, , label]) =>
    h("a", { href: `#/${key}`, class: key === current ? "active" : "" }, label));
  const live = h("span.live", { id: "live-state", class: liveConnected ? "on" : "", title: "Обновления в реальном времени" }, "●");
  const content = h("main#content");
  mount(app,
    h("header.top",
      h("button.icon.menu-toggle", { type: "button", "aria-label": "Меню",
        on: { click: () => document.body.classList.toggle("menu-open") } }, "☰"),
      h("strong.brand", "CRM"),
      h("nav.menu", menu),
      h("div.user", live, bell(), h("span.who", `${user.full_name} · ${ROLE_NAMES[user.role] || user.role}`),
        h("button.link", { type: "button", on: { click: logout } }, "Выйти"))),
    content);
  return content;
}

async function logout() {
  try { await api.post("/auth/logout"); } catch { /* the session ends here either way */ }
  stopLive();
  session.end();
  location.hash = "#/login";
}

async function route() {
  const { page, params, query } = parseHash();
  document.body.classList.remove("menu-open");
  document.querySelectorAll("dialog.modal").forEach((open) => open.close());  // drafts keep what was typed
  if (page === "login" || !session.token) {
    stopLive();
    const { render } = await import("./views/login.js");
    return render(app, query);
  }
  const user = session.user;
  const target = PAGES.find((p) => p[0] === page);
  if (!target || !allowed(target, user.role)) {
    location.hash = `#/${HOME[user.role] || "inbox"}`;
    return;
  }
  const content = shell(user, page);
  content.append(loading());
  try {
    const view = await import(`./views/${target[1]}.js`);
    await view.render(content, params, query, user);
  } catch (error) {
    if (!error.expired) mount(content, failure(error));
  }
}

window.addEventListener("hashchange", route);
window.addEventListener("crm:notification", (event) => {
  unread += 1;
  const badge = document.getElementById("unread");
  if (badge) { badge.textContent = String(unread); badge.hidden = false; }
  toast(event.detail.body, "note");
});
window.addEventListener("crm:communication", (event) => {
  const c = event.detail;
  const who = c.contact_name || c.from_address || "";
  toast(`${c.channel === "call" ? "Входящий звонок" : "Новое сообщение"}: ${who}`, "call");
});
window.addEventListener("crm:live", (event) => {
  liveConnected = event.detail.connected;
  const state = document.getElementById("live-state");
  if (state) state.classList.toggle("on", event.detail.connected);
});
window.addEventListener("crm:login", () => startLive());

if (session.token) startLive();
route();
