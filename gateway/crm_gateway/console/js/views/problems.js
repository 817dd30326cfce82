// «Проблемные заказы»: open deals with overdue tasks, stuck in a stage beyond its norm, or with no
// next contact planned — one list, each row opening the deal. Filters live in the hash.
import { api } from "../api.js";
import { h, loading, mount, table } from "../dom.js";
import { exportButtons, filters, go, people, personField, personName, refused } from "../reporting.js";

// The API's problem codes: what the list calls them and how their tag looks.
const KINDS = {
  overdue_tasks: { label: "Просрочены задачи", tag: "bad" },
  stuck: { label: "Застряла в этапе", tag: "warn" },
  no_next_contact: { label: "Нет следующего контакта", tag: "" },
};

const openDeal = (id) => { location.hash = `#/deal/${id}`; };

export async function render(root, params, query, user) {
  const filter = { responsible_id: query.responsible_id };
  const [directory, pipelines] = await Promise.all([people(), api.get("/pipelines")]);
  const byCode = new Map(pipelines.map((p) => [p.code, p]));
  const stageName = (row) => byCode.get(row.pipeline)?.stages.find((s) => s.code === row.stage)?.name || row.stage;
  const field = personField("responsible_id", "Ответственный", directory, user);
  const filterForm = field ? filters([field], filter, (values) => go("problems", null, { ...values, kind: query.kind })) : null;
  const result = h("div.report", loading());
  mount(root, h("h1", "Проблемные заказы"),
    h("div.panel", filterForm, exportButtons("/reports/problem-orders", filter, "problem-orders")), result);

  let answer;
  try {
    answer = await api.get("/reports/problem-orders", filter);
  } catch (error) {
    if (filterForm) refused(error, filterForm, result);
    else throw error;
    return;
  }
  const kind = KINDS[query.kind] ? query.kind : "";
  const rows = answer.rows.filter((row) => !kind || row.codes.includes(kind));
  const count = (code) => answer.rows.filter((row) => row.codes.includes(code)).length;
  const chip = (code, label, total) => h("button", {
    type: "button", class: code === kind ? "active" : "", "aria-pressed": String(code === kind),
    on: { click: () => go("problems", null, { ...filter, kind: code }) } }, `${label} (${total})`);

  mount(result,
    h("nav.tabs", { "aria-label": "Вид проблемы" }, chip("", "Все", answer.rows.length),
      Object.entries(KINDS).map(([code, { label }]) => chip(code, label, count(code)))),
    table([
      { label: "Сделка", render: (row) => h("a", { href: `#/deal/${row.deal_id}` }, `№ ${row.deal_id}`) },
      { label: "Название", key: "title" },
      { label: "Воронка", render: (row) => byCode.get(row.pipeline)?.name || row.pipeline },
      { label: "Этап", render: stageName },
      { label: "Ответственный", render: (row) => personName(directory, row.responsible_id) },
      { label: "Дней в этапе", key: "days_in_stage" },
      { label: "Просроченных задач", key: "overdue_tasks" },
      { label: "Проблемы", render: (row) => h("span.problems", row.codes.map((code, i) =>
        h(`span.tag${KINDS[code]?.tag ? "." + KINDS[code].tag : ""}`, KINDS[code]?.label || row.problems[i] || code))) },
    ], rows, {
      empty: kind ? "Таких заказов нет" : "Проблемных заказов нет",
      rowAttrs: (row) => ({ class: "clickable", dataset: { deal: row.deal_id },
                            on: { click: (event) => { if (!event.target.closest("a")) openDeal(row.deal_id); } } }),
    }));
}
