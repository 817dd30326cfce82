// «Мониторинг» (admin): every service's health and version, queues with depth and consumers,
// outbox backlog, parked events with a replay button, message rates. Refreshes every 5 seconds.
import { api } from "../api.js";
import { dateTime, failure, h, mount, table, toast } from "../dom.js";

const REFRESH_MS = 5000;
const rate = (value) => (value === null || value === undefined ? "—" : Number(value).toFixed(2));

function serviceRow(s) {
  return h("section.panel.service", { dataset: { service: s.service } },
    h("h2", s.service, " ", h(`span.tag.${s.status === "ok" ? "ok" : "bad"}.status`, s.status === "ok" ? "работает" : "недоступен"),
      " ", h("span.muted", s.version ? `версия ${s.version}` : "")),
    s.error ? h("p.alert.error", s.error) : null,
    h("div",
      h("span.stat", h("b.outbox", String(s.outbox_backlog ?? "—")), "в outbox"),
      h("span.stat", h("b.parked", String(s.parked_events ?? "—")), "отложенных событий"),
      h("span.stat", h("b", rate(s.rates?.events_published_per_second)), "опубликовано/с"),
      h("span.stat", h("b", rate(s.rates?.events_handled_per_second)), "обработано/с")),
    table([
      { label: "Очередь", key: "name" },
      { label: "Сообщений", render: (q) => q.error ? "—" : String(q.depth) },
      { label: "Потребителей", render: (q) => q.error ? h("span.tag.bad", q.error) : h(`span.tag.${q.consumers > 0 ? "ok" : "bad"}`, String(q.consumers)) },
      { label: "Публикаций/с", render: (q) => rate(q.publish_per_second) },
      { label: "Доставок/с", render: (q) => rate(q.deliver_per_second) },
    ], s.queues || [], { empty: "Очереди неизвестны" }));
}

function parkedTable(parked, reload) {
  const rows = Object.entries(parked).flatMap(([service, events]) => events.map((e) => ({ ...e, service })));
  return table([
    { label: "Сервис", key: "service" },
    { label: "Событие", key: "event_type" },
    { label: "Обработчик", key: "handler" },
    { label: "Ошибка", key: "error" },
    { label: "Попыток", key: "attempts" },
    { label: "Когда", render: (e) => dateTime(e.parked_at) },
    { label: "", render: (e) => h("button", { type: "button", on: { click: async () => {
      try {
        const result = await api.post(`/admin/parked-events/${e.service}/${e.id}/replay`);
        toast(result.replayed ? "Событие обработано" : `Не удалось: ${result.error}`, result.replayed ? "ok" : "error");
      } catch (error) { toast(error.message, "error"); }
      reload();
    } } }, "Повторить") },
  ], rows, { empty: "Отложенных событий нет" });
}

export async function render(root) {
  const summary = h("div");
  const services = h("div");
  const parkedBox = h("div");
  mount(root, h("h1", "Мониторинг"), summary, services, h("h2", "Отложенные события"), parkedBox);
  const load = async () => {
    try {
      const ops = await api.get("/admin/ops");
      const parked = ops.services.some((s) => s.parked_events > 0) ? await api.get("/admin/parked-events") : {};
      mount(summary, h("p.muted", `Проверено ${dateTime(ops.checked_at)} · шлюз ${ops.gateway.version} · брокер: `,
        ops.broker.status === "ok" ? `${ops.broker.source === "management" ? "management API" : "AMQP"}` : h("span.tag.bad", ops.broker.error || "недоступен"),
        " · скорости — между двумя обновлениями страницы"));
      mount(services, ops.services.map(serviceRow));
      mount(parkedBox, parkedTable(parked, load));
    } catch (error) {
      if (!error.expired) mount(summary, failure(error));
    }
  };
  await load();
  const timer = setInterval(() => { if (root.isConnected && location.hash.startsWith("#/ops")) load(); else clearInterval(timer); }, REFRESH_MS);
}
