// «Календарь»: crews' jobs for a day or a week, crews by days, each job coloured by its deal's
// stage (a stable colour per stage code, with a legend). `#/calendar?date=&view=day|week&crew=`.
// A crew member is shown their own crews only (the API lists no other).
import { api } from "../api.js";
import { day, h, isoDay, mount } from "../dom.js";
import { go } from "../reporting.js";
import { PAGES, allowed } from "../roles.js";

const PALETTE = ["#2f6fb0", "#d9822b", "#3c9a5f", "#b03a48", "#7a5cb0", "#2a8f99", "#a0522d", "#c2417f",
                 "#5b7a1f", "#4a5bd4", "#8a6d0b", "#37474f"];
const NO_DEAL = "#6b7385";
const STATUSES = { completed: "выполнено", failed: "не выполнено" };

// The same stage code always gets the same colour, whatever else is on screen.
function stageColour(code) {
  if (!code) return NO_DEAL;
  let hash = 0;
  for (const char of code) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return PALETTE[hash % PALETTE.length];
}

const localDate = (iso) => { const [y, m, d] = iso.split("-").map(Number); return new Date(y, m - 1, d); };
const clock = (iso, zone) => new Date(iso).toLocaleTimeString("ru-RU", { hour: "2-digit", minute: "2-digit", timeZone: zone });
const dayTitle = (iso) => day(`${iso}T12:00:00`);

function job(item, zone, canOpenDeal) {
  const stage = item.deal_stage;
  const hold = item.kind === "hold";
  return h(`div.job${hold ? ".hold" : ""}${item.status !== "booked" ? `.${item.status}` : ""}`, {
    style: `background: ${stageColour(stage?.stage)}`,
    title: stage ? `Этап сделки: ${stage.stage_name}` : hold ? "Время удерживается" : "Без сделки",
    dataset: { booking: item.id, stage: stage?.stage || "" },
  },
  h("b.when", `${clock(item.starts_at, zone)}–${clock(item.ends_at, zone)}`),
  hold ? h("span", "Удержание") : null,
  item.address ? h("span.where", item.address) : null,
  item.client_name || item.client_phone ? h("span.client", [item.client_name, item.client_phone].filter(Boolean).join(", ")) : null,
  stage ? h("span.stage", stage.stage_name) : null,
  STATUSES[item.status] ? h("span.status", STATUSES[item.status]) : null,
  item.deal_id && canOpenDeal ? h("a", { href: `#/deal/${item.deal_id}` }, `Сделка № ${item.deal_id}`) : null);
}

function legend(calendars) {
  const stages = new Map();
  let withoutDeal = false;
  for (const { calendar } of calendars) {
    for (const item of calendar.days.flatMap((d) => d.items)) {
      if (item.deal_stage) stages.set(item.deal_stage.stage, item.deal_stage.stage_name);
      else withoutDeal = true;
    }
  }
  const entries = [...stages].sort((a, b) => a[1].localeCompare(b[1], "ru"));
  if (withoutDeal) entries.push(["", "Без сделки"]);
  if (!entries.length) return null;
  return h("ul.legend", { "aria-label": "Цвета этапов сделок" }, entries.map(([code, name]) =>
    h("li", { dataset: { stage: code } }, h("span.swatch", { style: `background: ${stageColour(code)}` }), name)));
}

function grid(calendars, canOpenDeal) {
  const days = calendars[0].calendar.days.map((d) => d.date);
  const today = isoDay();
  const head = [h("div.cell.head", "Бригада"), days.map((d) =>
    h(`div.cell.head.day${d === today ? ".today" : ""}`, dayTitle(d)))];
  const rows = calendars.map(({ crew, calendar }) => [
    h("div.cell.crew", h("b", crew.name), h("small.muted", crew.skill)),
    calendar.days.map((d) => h(`div.cell.slot${d.opens ? "" : ".off"}${d.date === today ? ".today" : ""}`, {
      dataset: { label: dayTitle(d.date), crew: crew.id, date: d.date } },
    d.items.length ? d.items.map((item) => job(item, calendar.time_zone, canOpenDeal))
                   : h("span.muted", d.opens ? "" : "выходной"))),
  ]);
  return h("div.calendar", { style: `grid-template-columns: minmax(8rem, 11rem) repeat(${days.length}, minmax(9rem, 1fr))` },
    head, rows);
}

export async function render(root, params, query, user) {
  const view = query.view === "week" ? "week" : "day";
  const date = /^\d{4}-\d{2}-\d{2}$/.test(query.date || "") ? query.date : isoDay();
  const days = view === "week" ? 7 : 1;
  const state = { date, view, crew: query.crew };
  const move = (change) => go("calendar", null, { ...state, ...change });

  const crews = await api.get("/crews");  // a crew member gets their own crews only
  const asked = query.crew ? crews.filter((c) => String(c.id) === query.crew) : crews;
  const calendars = await Promise.all(asked.map((crew) => api.get(`/crews/${crew.id}/calendar`, { date, days })));
  const shown = asked.map((crew, i) => ({ crew, calendar: calendars[i] }));
  const canOpenDeal = allowed(PAGES.find((page) => page[0] === "deal"), user.role);
  const step = days;

  const toolbar = h("div.toolbar.calendar-nav",
    h("div.actions",
      h("button", { type: "button", "aria-label": "Назад", on: { click: () => move({ date: isoDay(-step, localDate(date)) }) } }, "‹"),
      h("button", { type: "button", on: { click: () => move({ date: isoDay() }) } }, "Сегодня"),
      h("button", { type: "button", "aria-label": "Вперёд", on: { click: () => move({ date: isoDay(step, localDate(date)) }) } }, "›")),
    h("label", "Дата", h("input", { type: "date", value: date,
      on: { change: (event) => event.target.value && move({ date: event.target.value }) } })),
    h("div.tabs.view", ["day", "week"].map((key) => h("button", {
      type: "button", class: key === view ? "active" : "", "aria-pressed": String(key === view),
      on: { click: () => move({ view: key }) } }, key === "day" ? "День" : "Неделя"))),
    crews.length > 1 ? h("label", "Бригада", h("select", { on: { change: (event) => move({ crew: event.target.value }) } },
      h("option", { value: "" }, "Все бригады"),
      crews.map((crew) => h("option", { value: crew.id, selected: String(crew.id) === query.crew }, crew.name)))) : null);

  const first = shown[0]?.calendar.days;
  const period = first ? (first.length > 1 ? `${dayTitle(first[0].date)} — ${dayTitle(first[first.length - 1].date)}`
                                           : dayTitle(first[0].date)) : "";
  mount(root, h("h1", "Календарь", period ? h("small.muted", ` ${period}`) : null), toolbar,
    shown.length ? [legend(shown), grid(shown, canOpenDeal)] : h("p.empty", "Бригад нет"));
}
