// The deal card: fields, stage with the gate form, history (with the rule behind each automatic
// change), tasks, approvals, comments, documents, payment schedule, linked deals, bookings and the
// delivery status of every message sent about the deal; for admin and controller its audit trail.
import { api, download } from "../api.js";
import { auditPanel } from "../audit.js";
import { dateTime, h, mount, money, table, toast } from "../dom.js";
import { dialog, filled, form } from "../forms.js";
import { nameOf, staffNames } from "../directory.js";
import { pipelineField } from "../gate.js";
import { moveDeal } from "./kanban.js";

const MESSAGE_STATUS = { queued: "в очереди", sending: "отправляется", sent: "отправлено", delivered: "доставлено",
  read: "прочитано", failed: "ошибка", undelivered: "не доставлено", cancelled: "отменено", scheduled: "запланировано" };
const CHANNELS = { sms: "SMS", whatsapp: "WhatsApp", email: "E-mail", telegram: "Telegram", in_app: "В CRM" };
const HISTORY_KIND = {
  created: "Сделка создана", stage_changed: "Этап", fields_changed: "Поля изменены", task_created: "Задача",
  responsible_changed: "Ответственный", responsible_returned: "Ответственный возвращён", approval_requested: "Согласование",
  document_added: "Документ", payment_schedule_created: "График платежей", question_asked: "Вопрос контролёра",
  commented: "Комментарий", notification_requested: "Уведомление",
  linked_deal_created: "Создана связанная сделка", booking_requested: "Запрошен выезд бригады",
  booking_completed: "Выезд выполнен", booking_failed: "Выезд не удался", booking_created: "Выезд записан",
  booking_rescheduled: "Выезд перенесён", booking_cancelled: "Выезд отменён",
  booking_reschedule_requested: "Бригада просит перенос",
};

// What an entry changed, in words: stage names rather than codes, the fields that changed.
function historyDetails(entry, stageName) {
  const d = entry.details || {};
  switch (entry.kind) {
    case "stage_changed": return `${stageName(d.from_pipeline, d.from_stage)} → ${stageName(d.to_pipeline, d.to_stage)}`;
    case "task_created": return `«${d.title}»`;
    case "linked_deal_created": return h("a", { href: `#/deal/${d.child_deal_id}` }, `№${d.child_deal_id}`);
    case "created": return d.parent_deal_id ? ["из сделки ", h("a", { href: `#/deal/${d.parent_deal_id}` }, `№${d.parent_deal_id}`)] : "";
    default: return Object.entries(d).filter(([, v]) => v !== null && v !== undefined)
      .map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ");
  }
}

function actorName(actor, names) {
  const user = /^user:(\d+)$/.exec(actor || "");
  return user ? nameOf(names, Number(user[1])) : actor === "scheduling" ? "расписание" : actor || "";
}

function historyLine(entry, names, stageName) {
  return h("li", h("strong", dateTime(entry.at)), " ", HISTORY_KIND[entry.kind] || entry.kind, ": ",
    historyDetails(entry, stageName), " ",
    entry.rule_id ? h("span.tag.warn.rule", `автоматически: правило «${entry.rule_name || entry.rule_id}», версия ${entry.rule_version}`)
      : h("span.muted", actorName(entry.actor, names)));
}

function section(title, ...content) {
  return h("section.panel", h("h2", title), ...content);
}

export async function render(root, params) {
  const dealId = Number(params[0]);
  const [deal, pipelines, names, messages, bookings, audit] = await Promise.all([
    api.get(`/deals/${dealId}`), api.get("/pipelines"), staffNames(), api.get(`/deals/${dealId}/messages`),
    api.get("/bookings", { deal_id: dealId }), auditPanel("deal", dealId)]);
  const pipeline = pipelines.find((p) => p.code === deal.pipeline);
  const stageName = (pipelineCode, code) => pipelines.find((p) => p.code === (pipelineCode || deal.pipeline))
    ?.stages.find((s) => s.code === code)?.name || code || "—";
  const reload = () => render(root, params);
  const act = (fn) => async () => { try { await fn(); reload(); } catch (error) { toast(error.message, "error"); } };

  const stageSelect = h("select", { id: "deal-stage", "aria-label": "Этап" },
    pipeline.stages.map((s) => h("option", { value: s.code, selected: s.code === deal.stage }, s.name)));
  const moveButton = h("button.primary", { type: "button", on: { click: act(async () => {
    const moved = await moveDeal(deal.id, stageSelect.value, pipeline);
    if (moved) toast(`Этап: ${moved.stage_name}`, "ok");
  }) } }, "Перевести");

  const fieldsForm = form({
    className: "inline",
    submit: "Сохранить поля",
    fields: pipeline.fields.map((f) => pipelineField(f, { required: false, value: deal.fields?.[f.code] })),
    onSubmit: async (values) => {
      await api.patch(`/deals/${deal.id}`, { fields: filled(values) });
      toast("Поля сохранены", "ok");
      reload();
    },
  });

  const addTask = () => {
    const box = dialog("Новая задача", form({ draftKey: `task-${deal.id}`, submit: "Добавить", fields: [
      { name: "title", label: "Задача", required: true },
      { name: "due_at", label: "Срок", type: "datetime-local", required: true },
      { name: "assignee_id", label: "Исполнитель", type: "select", value: deal.responsible_id,
        options: [...names.values()].filter((u) => u.active).map((u) => [u.id, u.full_name]) },
    ], onSubmit: async (values) => {
      const due = values.due_at ? new Date(values.due_at).toISOString() : null;
      await api.post(`/deals/${deal.id}/tasks`, { ...filled(values), due_at: due,
        assignee_id: values.assignee_id ? Number(values.assignee_id) : undefined });
      box.close();
      reload();
    } }));
  };

  const reject = (approval) => {
    const box = dialog(`Отклонить: ${approval.title}`, form({ submit: "Отклонить", fields: [
      { name: "comment", label: "Причина", type: "textarea", required: true }],
      onSubmit: async (values) => {
        await api.post(`/approvals/${approval.id}/reject`, filled(values));
        box.close();
        reload();
      } }));
  };

  const upload = form({ submit: "Загрузить", fields: [
    { name: "kind", label: "Вид документа", required: true,
      type: "select", options: [...new Set(pipeline.stages.flatMap((s) => s.required_documents))].map((k) => [k, k])
        .concat([["other", "другое"]]) },
    { name: "file", label: "Файл", type: "file", required: true },
  ], onSubmit: async (values) => {
    const data = new FormData();
    data.append("kind", values.kind || "other");
    if (values.file) data.append("file", values.file);
    await api.upload(`/deals/${deal.id}/documents`, data);
    toast("Документ загружен", "ok");
    reload();
  } });

  const comment = form({ draftKey: `comment-${deal.id}`, submit: "Отправить", fields: [
    { name: "text", label: "Комментарий (@логин — упомянуть)", type: "textarea", required: true }],
    onSubmit: async (values) => { await api.post(`/deals/${deal.id}/comments`, filled(values)); reload(); } });

  const linked = [deal.parent_deal, ...deal.linked_deals].filter(Boolean);
  mount(root,
    h("h1", `Сделка №${deal.id}: ${deal.title}`),
    h("p", h("span.tag", pipeline.name), " ", h("strong#deal-stage-name", deal.stage_name), " · ", money(deal.amount),
      " · ответственный: ", nameOf(names, deal.responsible_id),
      deal.contact_id ? [" · ", h("a", { href: `#/clients/${deal.contact_id}` }, "карточка клиента")] : null),
    h("div.toolbar", h("label", "Этап", stageSelect), moveButton,
      h("a", { href: `#/booking?deal=${deal.id}${deal.contact_id ? `&contact=${deal.contact_id}` : ""}` },
        h("button", { type: "button" }, "Записать бригаду"))),
    h("div.columns",
      section("Поля", pipeline.fields.length ? fieldsForm : h("p.empty", "В этой воронке нет своих полей")),
      section("История", h("ul.history", deal.history.map((e) => historyLine(e, names, stageName)).reverse())),
      section("Задачи", h("button", { type: "button", on: { click: addTask } }, "Добавить задачу"),
        table([
          { label: "Задача", key: "title" },
          { label: "Срок", render: (t) => dateTime(t.due_at) },
          { label: "Исполнитель", render: (t) => nameOf(names, t.assignee_id) },
          { label: "Статус", render: (t) => t.status === "open" ? (new Date(t.due_at) < new Date() ? h("span.tag.bad", "просрочена") : "открыта")
            : h("span.tag.ok", "выполнена") },
          { label: "", render: (t) => t.status === "open" ? h("button", { type: "button",
            on: { click: act(() => api.post(`/tasks/${t.id}/complete`)) } }, "Выполнено") : "" },
        ], deal.tasks, { empty: "Задач нет" })),
      section("Согласования", table([
        { label: "Что", key: "title" },
        { label: "Кто согласует", render: (a) => nameOf(names, a.approver_id) },
        { label: "Статус", render: (a) => ({ pending: "ждёт", approved: "согласовано", rejected: "отклонено" }[a.status] || a.status) },
        { label: "", render: (a) => a.status === "pending" ? [
          h("button", { type: "button", on: { click: act(() => api.post(`/approvals/${a.id}/approve`, {})) } }, "Согласовать"),
          h("button.danger", { type: "button", on: { click: () => reject(a) } }, "Отклонить")] : (a.comment || "") },
      ], deal.approvals, { empty: "Согласований нет" })),
      section("Сообщения клиенту и статус доставки", table([
        { label: "Когда", render: (m) => dateTime(m.created_at) },
        { label: "Канал", render: (m) => CHANNELS[m.channel] || m.channel },
        { label: "Кому", key: "recipient" },
        { label: "Текст", key: "body" },
        { label: "Статус", render: (m) => h("span.tag.message-status", { class: ["delivered", "read"].includes(m.status) ? "ok"
          : ["failed", "undelivered"].includes(m.status) ? "bad" : "" }, MESSAGE_STATUS[m.status] || m.status) },
      ], messages, { empty: "Сообщений не было" })),
      section("Выезды бригад", table([
        { label: "Когда", render: (b) => dateTime(b.starts_at) },
        { label: "Адрес", key: "address" },
        { label: "Статус", key: "status" },
      ], bookings, { empty: "Выездов нет" })),
      section("Документы", table([
        { label: "Вид", key: "kind" },
        { label: "Файл", render: (d) => h("button.link", { type: "button",
          on: { click: () => download(`/deals/${deal.id}/documents/${d.id}`, {}, d.filename) } }, d.filename) },
        { label: "Загружен", render: (d) => dateTime(d.created_at) },
      ], deal.documents, { empty: "Документов нет" }), upload),
      section("График платежей", table([
        { label: "Счёт", key: "number" },
        { label: "Срок", key: "due_date" },
        { label: "Сумма", render: (i) => money(i.amount) },
        { label: "Оплачено", render: (i) => money(i.paid_amount) },
        { label: "Статус", key: "status" },
      ], deal.invoices, { empty: "Графика платежей нет" })),
      section("Связанные сделки", linked.length ? h("ul", linked.map((d) => h("li",
        h("a", { href: `#/deal/${d.id}` }, `№${d.id} ${d.title}`), ` — ${d.stage_name}`))) : h("p.empty", "Нет")),
      section("Комментарии", h("ul", deal.comments.map((c) => h("li", h("strong", nameOf(names, c.author_id)), ` ${dateTime(c.created_at)}: `,
        c.is_question ? h("span.tag.warn", "вопрос контролёра") : null, " ", c.text))), comment),
      audit));
}
