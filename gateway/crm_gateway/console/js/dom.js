// Building the page from plain DOM: h("tag#id.class", {attrs, on: {event}}, ...children).
export function h(spec, attrs = {}, ...children) {
  if (attrs === null || typeof attrs !== "object" || attrs instanceof Node || Array.isArray(attrs)) {
    children.unshift(attrs);
    attrs = {};
  }
  const [tagAndId, ...classes] = spec.split(".");
  const [tag, id] = tagAndId.split("#");
  const el = document.createElement(tag || "div");
  if (id) el.id = id;
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "on") for (const [event, fn] of Object.entries(value)) el.addEventListener(event, fn);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "class") el.className += (el.className ? " " : "") + value;
    else if (key in el && typeof value !== "string") el[key] = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function mount(root, ...children) {
  root.replaceChildren();
  append(root, children);
  return root;
}

const moneyFormat = new Intl.NumberFormat("ru-RU", { maximumFractionDigits: 2 });
export const money = (value, currency = "RUB") =>
  value === null || value === undefined ? "—" : `${moneyFormat.format(Number(value))} ${currency === "RUB" ? "₽" : currency}`;

export const dateTime = (iso) => (iso ? new Date(iso).toLocaleString("ru-RU", {
  day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" }) : "—");
export const time = (iso) => (iso ? new Date(iso).toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit" }) : "—");
export const day = (iso) => (iso ? new Date(iso).toLocaleDateString("ru-RU", {
  weekday: "short", day: "2-digit", month: "2-digit" }) : "—");

// YYYY-MM-DD of a local day, `offset` days from today.
export function isoDay(offset = 0, from = new Date()) {
  const d = new Date(from);
  d.setDate(d.getDate() + offset);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

export function toast(text, kind = "info") {
  const box = document.getElementById("toasts");
  const item = h(`div.toast.${kind}`, { role: "status" }, text);
  box.append(item);
  setTimeout(() => item.remove(), 6000);
}

export function table(columns, rows, { empty = "Нет данных", rowAttrs } = {}) {
  if (!rows.length) return h("p.empty", empty);
  return h("table.grid",
    h("thead", h("tr", columns.map((c) => h("th", c.label)))),
    h("tbody", rows.map((row) => h("tr", rowAttrs ? rowAttrs(row) : {},
      columns.map((c) => h("td", { dataset: { label: c.label } }, c.render ? c.render(row) : row[c.key] ?? "—"))))));
}

export const loading = () => h("p.loading", "Загрузка…");

// A view's failure shown in place of its content rather than a blank page.
export function failure(error) {
  return h("div.alert.error", { role: "alert" }, error.message || String(error));
}
