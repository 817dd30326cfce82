// What the report pages share: filters kept in the hash, exports and charts behind the token,
// and people's names.
import { download, request } from "./api.js";
import { staffNames } from "./directory.js";
import { failure, h, loading, mount, toast } from "./dom.js";
import { filled, form } from "./forms.js";

// Opens `#/page/sub?query`; the same address again re-renders (the filters were re-applied).
export function go(page, sub, query = {}) {
  const text = new URLSearchParams(filled(Object.fromEntries(
    Object.entries(query).filter(([, value]) => value !== undefined)))).toString();
  const hash = `#/${page}${sub ? `/${sub}` : ""}${text ? `?${text}` : ""}`;
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}

// A filter form whose values come from the hash; the server's 400 details show next to the fields.
export function filters(fields, query, apply) {
  return form({
    fields: fields.filter(Boolean).map((field) => ({ ...field, value: query[field.name] ?? field.value })),
    submit: "Показать", className: "inline", onSubmit: (values) => apply(filled(values)),
  });
}

// A report that failed: a refused filter is shown at its field, anything else in place of the report.
export function refused(error, filterForm, box) {
  if (error.expired) return;
  if (error.status === 400 && Object.keys(error.details).length) {
    filterForm.showErrors(error);
    mount(box);
  } else mount(box, failure(error));
}

export function exportButtons(path, query, name) {
  const save = (format) => async (event) => {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      await download(path, { ...query, format }, `${name}.${format}`);
    } catch (error) {
      if (!error.expired) toast(error.message, "error");
    } finally {
      button.disabled = false;
    }
  };
  return h("div.exports", h("span.muted", "Выгрузить:"),
    ["csv", "xlsx"].map((format) => h("button", { type: "button", on: { click: save(format) } }, format.toUpperCase())));
}

// An SVG chart of the API: fetched with the token (an <img src> could not send it), shown as an image.
export function chart(path, query, alt) {
  const box = h("div.chart", loading());
  request("GET", path, { query, raw: true })
    .then((response) => response.blob())
    .then((blob) => {
      const src = URL.createObjectURL(blob);
      mount(box, h("img", { src, alt, on: { load: () => URL.revokeObjectURL(src) } }));
    })
    .catch((error) => { if (!error.expired) mount(box, failure(error)); });
  return box;
}

// Names by user id from the staff directory; `choices` are the people a sales report can be
// filtered by.
const SELLERS = ["admin", "head_of_sales", "manager"];

export async function people() {
  const directory = await staffNames();
  const names = new Map([...directory.values()].map((person) => [person.id, person.full_name]));
  const choices = [...directory.values()].filter((person) => SELLERS.includes(person.role))
    .map((person) => [person.id, person.full_name]).sort((a, b) => a[1].localeCompare(b[1], "ru"));
  return { names, choices };
}

export const personName = ({ names }, id) => (id === null || id === undefined ? "—" : names.get(id) || `Сотрудник ${id}`);

// The employee filter: none for a manager (the API shows them their own).
export function personField(name, label, { choices }, user) {
  if (user.role === "manager") return null;
  return { name, label, type: "select", options: [["", "Все"], ...choices] };
}

// A date without time (YYYY-MM-DD) as the company reads it.
export const dateOnly = (iso) => (iso ? new Date(`${iso}T12:00:00`).toLocaleDateString("ru-RU") : "—");
