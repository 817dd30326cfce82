// «Отчёты»: the managers' KPI registry, ABC contact control, the funnel, lost reasons and leads per
// day. Each tab keeps its filters in the hash (`#/reports/abc?overdue=yes`): a reload keeps them.
import { api } from "../api.js";
import { h, isoDay, loading, money, mount, table } from "../dom.js";
import { chart, dateOnly, exportButtons, filters, go, people, personField, personName, refused } from "../reporting.js";

const HEADS = ["admin", "head_of_sales"];
const SELLERS = [...HEADS, "manager"];
const STAGE_KINDS = { open: "в работе", won: "успех", lost: "отказ" };
const SOURCES = { lead: "Лид", deal: "Сделка" };

const period = (query, days) => ({ date_from: query.date_from || isoDay(-(days - 1)), date_to: query.date_to || isoDay() });
const dateFields = [
  { name: "date_from", label: "С", type: "date", required: true },
  { name: "date_to", label: "По", type: "date", required: true },
];
const percent = (value) => (value === null || value === undefined ? "—" : `${value}%`);

// A report's body: its filters and export buttons, then what `show` draws from the answer.
async function report(box, { title, path, filter, fields, tab, exportQuery, name, show }) {
  const filterForm = filters(fields, filter, (values) => go("reports", tab, values));
  const result = h("div.report", loading());
  mount(box, h("div.panel", filterForm, exportButtons(path, exportQuery || filter, name)), h("h2", title), result);
  let answer;
  try {
    answer = await api.get(path, filter);
  } catch (error) {
    refused(error, filterForm, result);
    return;
  }
  mount(result, show(answer));
}

// -- KPI registry ---------------------------------------------------------------------------

function indicatorCell(value, change) {
  const shown = value === null || value === undefined ? "—" : value.includes(".") ? money(value) : value;
  let delta = null;
  if (change !== null && change !== undefined) {
    const sign = Number(change) > 0 ? "up" : Number(change) < 0 ? "down" : "same";
    const text = change.includes(".") ? money(change) : change;
    delta = h(`small.change.${sign}`, { title: "Изменение к предыдущему дню" },
      sign === "up" ? `▲ +${text}` : sign === "down" ? `▼ ${text.replace("-", "−")}` : "= 0");
  }
  return [h("span.value", shown), delta];
}

async function kpiTab(box, query, user) {
  const filter = { ...period(query, 7), manager_id: query.manager_id };
  const directory = await people();
  await report(box, {
    title: "Показатели менеджеров по дням", path: "/reports/kpi", tab: "kpi", name: "kpi", filter,
    fields: [...dateFields, personField("manager_id", "Менеджер", directory, user)],
    show: (answer) => {
      const columns = [
        { label: "Менеджер", render: (row) => personName(directory, row.manager_id) },
        { label: "День", render: (row) => dateOnly(row.day) },
        ...answer.indicators.map((item) => ({
          label: item.label, render: (row) => indicatorCell(row[item.code], row[`${item.code}_change`]) })),
      ];
      return [
        h("p.muted", "По каждому показателю — значение за день и изменение к предыдущему дню (▲/▼)."),
        h("div.scroll", table(columns, answer.rows, {
          empty: "За эти дни показателей нет",
          rowAttrs: (row) => ({ dataset: { manager: row.manager_id, day: row.day } }) })),
        answer.rows.length ? h("div.panel", h("h3", "Динамика"), chart("/reports/kpi/chart.svg", filter, "Динамика показателей")) : null,
      ];
    },
  });
}

// -- ABC contact control --------------------------------------------------------------------

async function abcTab(box, query, user) {
  const filter = { responsible_id: query.responsible_id, company_id: query.company_id, category: query.category,
                   overdue: query.overdue || "all" };
  const directory = await people();
  const onlyCompany = (row) => h("button.link", { type: "button", title: "Показать только эту компанию",
    on: { click: () => go("reports", "abc", { ...filter, company_id: row.company_id }) } }, row.name || `Компания ${row.company_id}`);
  const overdueTag = (row) => (row.overdue ? h("span.tag.bad", "да") : h("span.tag.ok", "нет"));
  await report(box, {
    title: "ABC-контроль контактов", path: "/reports/abc", tab: "abc", name: "abc", filter,
    exportQuery: { ...filter, limit: 100000 },  // the file holds every row, not the first page
    fields: [
      personField("responsible_id", "Сотрудник", directory, user),
      { name: "company_id", label: "Компания (№)", type: "number", min: 1, placeholder: "все" },
      { name: "category", label: "Категория", type: "select", options: [["", "Все"], ["A", "A"], ["B", "B"], ["C", "C"]] },
      { name: "overdue", label: "Просрочен контакт", type: "select",
        options: [["all", "Все"], ["yes", "Просрочены"], ["no", "В срок"]] },
    ],
    show: (answer) => [
      h("div.columns",
        h("div.panel", h("h3", "Доля просроченных по сотрудникам"),
          table([
            { label: "Сотрудник", render: (row) => personName(directory, row.responsible_id) },
            { label: "Компаний", key: "companies" },
            { label: "Просрочено", key: "overdue" },
            { label: "Доля", render: (row) => percent(row.overdue_share) },
          ], answer.per_employee, { empty: "Компаний нет" })),
        h("div.panel", chart("/reports/abc/chart.svg", filter, "Доля просроченных компаний по сотрудникам"))),
      h("p.muted", `Компаний: ${answer.total}`, answer.total > answer.rows.length
        ? ` (показаны первые ${answer.rows.length}; весь список — в выгрузке)` : "",
        ". Сроки контакта, дней: ", Object.entries(answer.intervals || {}).map(([c, d]) => `${c} — ${d}`).join(", ")),
      table([
        { label: "Компания", render: onlyCompany },
        { label: "Категория", key: "category" },
        { label: "Последний звонок", render: (row) => dateOnly(row.last_call) },
        { label: "Последнее письмо", render: (row) => dateOnly(row.last_email) },
        { label: "Ответственный", render: (row) => personName(directory, row.responsible_id) },
        { label: "Просрочен", render: overdueTag },
      ], answer.rows, { empty: "Компаний с такими условиями нет",
                        rowAttrs: (row) => ({ class: row.overdue ? "overdue" : "", dataset: { company: row.company_id } }) }),
    ],
  });
}

// -- funnel and lost reasons ----------------------------------------------------------------

const stageName = (pipeline, code) => pipeline?.stages.find((stage) => stage.code === code)?.name || code;

async function funnelTab(box, query) {
  const pipelines = await api.get("/pipelines");
  if (!pipelines.length) return mount(box, h("p.empty", "Воронок пока нет"));
  const filter = { pipeline: query.pipeline || pipelines[0].code, ...period(query, 30) };
  const pipeline = pipelines.find((p) => p.code === filter.pipeline);
  await report(box, {
    title: "Воронка: сделки, созданные за период", path: "/reports/funnel", tab: "funnel", name: "funnel", filter,
    fields: [{ name: "pipeline", label: "Воронка", type: "select", required: true,
               options: pipelines.map((p) => [p.code, p.name]) }, ...dateFields],
    show: (answer) => [
      table([
        { label: "Этап", render: (row) => stageName(pipeline, row.stage) },
        { label: "Тип", render: (row) => STAGE_KINDS[row.kind] || row.kind },
        { label: "Сделок", key: "deals" },
        { label: "Конверсия", render: (row) => percent(row.conversion) },
        { label: "Среднее время в этапе, ч", render: (row) => row.mean_hours_in_stage ?? "—" },
      ], answer.rows, { empty: "За период сделок в этой воронке нет" }),
      answer.rows.length ? h("div.panel", chart("/reports/funnel/chart.svg", filter, "Воронка")) : null,
    ],
  });
}

async function lossesTab(box, query) {
  const pipelines = await api.get("/pipelines");
  const filter = { pipeline: query.pipeline, ...period(query, 30) };
  const reasonName = (code) => {
    const chosen = pipelines.filter((p) => !filter.pipeline || p.code === filter.pipeline);
    return chosen.map((p) => stageName(p, code)).find((name) => name !== code) || code;
  };
  await report(box, {
    title: "Причины отказов", path: "/reports/losses", tab: "losses", name: "losses", filter,
    fields: [{ name: "pipeline", label: "Воронка", type: "select",
               options: [["", "Все"], ...pipelines.map((p) => [p.code, p.name])] }, ...dateFields],
    show: (answer) => table([
      { label: "Что потеряно", render: (row) => SOURCES[row.source] || row.source },
      { label: "Причина", render: (row) => reasonName(row.reason) },
      { label: "Количество", key: "count" },
      { label: "Доля", render: (row) => h("span.share", h("span.bar", { style: `width: ${Number(row.share)}%` }),
                                             h("span", percent(row.share))) },
    ], answer.rows, { empty: "За период отказов нет" }),
  });
}

// -- leads per day (the controller's report) -------------------------------------------------

async function leadsTab(box, query) {
  const filter = { ...period(query, 7), source: query.source };
  const filterForm = filters([...dateFields, { name: "source", label: "Источник", placeholder: "все" }], filter,
    (values) => go("reports", "leads", values));
  const result = h("div.report", loading());
  mount(box, h("div.panel", filterForm), h("h2", "Новые лиды по дням"), result);
  try {
    const answer = await api.get("/reports/leads-per-day", filter);
    mount(result, h("p", "Всего: ", h("b", String(answer.total))), table([
      { label: "День", render: (row) => dateOnly(row.day) },
      { label: "Источник", key: "source" },
      { label: "Лидов", key: "leads" },
    ], answer.rows, { empty: "За период лидов нет" }));
  } catch (error) {
    refused(error, filterForm, result);
  }
}

const TABS = [
  { key: "kpi", label: "Показатели менеджеров", roles: SELLERS, show: kpiTab },
  { key: "abc", label: "ABC-контроль", roles: SELLERS, show: abcTab },
  { key: "funnel", label: "Воронка", roles: HEADS, show: funnelTab },
  { key: "losses", label: "Причины отказов", roles: HEADS, show: lossesTab },
  { key: "leads", label: "Лиды по дням", roles: [...SELLERS, "controller"], show: leadsTab },
];

export async function render(root, params, query, user) {
  const tabs = TABS.filter((tab) => tab.roles.includes(user.role));
  const current = tabs.find((tab) => tab.key === params[0]) || tabs[0];
  const keep = { date_from: query.date_from, date_to: query.date_to };  // the period follows from tab to tab
  const body = h("div");
  mount(root, h("h1", "Отчёты"),
    h("nav.tabs", { "aria-label": "Отчёты" }, tabs.map((tab) => h("button", {
      type: "button", class: tab === current ? "active" : "", "aria-current": tab === current ? "page" : false,
      on: { click: () => go("reports", tab.key, keep) } }, tab.label))),
    body);
  await current.show(body, query, user);
}
