// «Мои выезды»: a crew member's jobs for today and tomorrow, made for a phone: address, the
// client's phone to call, done / failed with a reason, a request to reschedule.
import { api } from "../api.js";
import { day, h, isoDay, mount, time, toast } from "../dom.js";
import { dialog, filled, form } from "../forms.js";

const STATUS_NAMES = { booked: "Запланирован", completed: "Выполнен", failed: "Не выполнен", cancelled: "Отменён" };

function closeAsFailed(job, reload) {
  const box = dialog("Не выполнено", form({
    draftKey: `job-failed-${job.id}`,
    submit: "Отметить",
    fields: [{ name: "failure_reason", label: "Причина", type: "textarea", required: true }],
    onSubmit: async (values) => {
      await api.post(`/bookings/${job.id}/complete`, { result: "failure", ...filled(values) });
      box.close();
      toast("Отмечено: не выполнено", "ok");
      reload();
    },
  }));
}

function askToReschedule(job, reload) {
  const box = dialog("Попросить перенос", form({
    draftKey: `job-reschedule-${job.id}`,
    submit: "Отправить просьбу",
    fields: [
      { name: "reason", label: "Причина", type: "textarea", required: true },
      { name: "preferred_date", label: "Удобная дата", type: "date" },
    ],
    onSubmit: async (values) => {
      await api.post(`/bookings/${job.id}/reschedule-request`, filled(values));
      box.close();
      toast("Просьба о переносе отправлена", "ok");
      reload();
    },
  }));
}

function jobCard(job, reload) {
  const open = job.status === "booked";
  const done = async () => {
    try {
      await api.post(`/bookings/${job.id}/complete`, { result: "success" });
      toast("Отмечено: выполнено", "ok");
      reload();
    } catch (error) { toast(error.message, "error"); }
  };
  return h("article.job-card", { dataset: { booking: job.id } },
    h("div.when", `${day(job.starts_at)}, ${time(job.starts_at)}–${time(job.ends_at)}`),
    h("div", job.address || "адрес не указан"),
    h("div", job.client_name || "", " ", job.client_phone ? h("a.phone", { href: `tel:${job.client_phone}` }, job.client_phone) : null),
    h("div", h("span.tag", { class: open ? "" : job.status === "completed" ? "ok" : "bad" }, STATUS_NAMES[job.status] || job.status),
      job.reschedule_request ? h("span.tag.warn", " перенос запрошен") : null,
      job.deal_id ? h("span.muted", ` сделка №${job.deal_id}`) : null),
    open ? h("div.actions",
      h("button.primary", { type: "button", on: { click: done } }, "Выполнено"),
      h("button.danger", { type: "button", on: { click: () => closeAsFailed(job, reload) } }, "Не выполнено"),
      h("button", { type: "button", on: { click: () => askToReschedule(job, reload) } }, "Попросить перенос")) : null);
}

export async function render(root) {
  const list = h("div");
  mount(root, h("h1", "Мои выезды: сегодня и завтра"), list);
  const load = async () => {
    const jobs = (await api.get("/bookings", { date_from: isoDay(0), date_to: isoDay(1) }))
      .filter((b) => b.kind === "booking" && b.status !== "cancelled");
    mount(list, jobs.length ? jobs.map((job) => jobCard(job, load)) : h("p.empty", "На сегодня и завтра выездов нет"));
  };
  await load();
}
