// «Сделки»: the kanban of a pipeline with counts and sums per stage; a card dragged to a stage
// with a gate opens a form with exactly the fields it still misses.
import { api } from "../api.js";
import { h, mount, money, toast } from "../dom.js";
import { moveThroughGate, pipelineField } from "../gate.js";
import { nameOf, staffNames } from "../directory.js";

function card(deal, names) {
  return h("article.card", { draggable: "true", class: deal.has_overdue_tasks ? "overdue" : "", dataset: { deal: deal.id },
    on: { dragstart: (e) => { e.dataTransfer.setData("text/plain", String(deal.id)); } } },
    h("a.title", { href: `#/deal/${deal.id}` }, `№${deal.id} ${deal.title}`),
    h("div", money(deal.amount)),
    h("div.muted", nameOf(names, deal.responsible_id), ` · ${deal.days_in_stage} дн. на этапе`),
    deal.has_overdue_tasks ? h("span.tag.bad", "просрочена задача") : null);
}

export async function moveDeal(dealId, stage, pipeline) {
  const fields = new Map(pipeline.fields.map((f) => [f.code, f]));
  return moveThroughGate({
    title: `Сделка №${dealId}: ${pipeline.stages.find((s) => s.code === stage)?.name || stage}`,
    move: (values) => api.post(`/deals/${dealId}/move`, { stage, fields: values }),
    describe: (code) => pipelineField(fields.get(code) || { code, name: code, type: "text" }),
  });
}

export async function render(root, params, query) {
  const pipelines = await api.get("/pipelines");
  if (!pipelines.length) return mount(root, h("h1", "Сделки"), h("p.empty", "Воронок ещё нет"));
  const code = query.pipeline || pipelines[0].code;
  const pipeline = pipelines.find((p) => p.code === code) || pipelines[0];
  const names = await staffNames();
  const boardBox = h("div.board");
  const select = h("select", { "aria-label": "Воронка", on: { change: (e) => {
    location.hash = `#/deals?pipeline=${e.target.value}${query.mine ? "&mine=true" : ""}`; } } },
    pipelines.map((p) => h("option", { value: p.code, selected: p.code === pipeline.code }, p.name)));
  const mine = h("input", { type: "checkbox", id: "mine", checked: query.mine === "true", on: { change: (e) => {
    location.hash = `#/deals?pipeline=${pipeline.code}${e.target.checked ? "&mine=true" : ""}`; } } });
  const search = h("input", { type: "search", value: query.q || "", placeholder: "Поиск по названию", "aria-label": "Поиск" });
  mount(root, h("h1", "Сделки"),
    h("form.toolbar", { on: { submit: (e) => { e.preventDefault(); load(); } } },
      select, search, h("label", mine, " только мои")), boardBox);

  async function load() {
    const board = await api.get("/deals/board", { pipeline: pipeline.code, per_stage: 50, q: search.value || undefined,
                                                 mine: query.mine === "true" ? "true" : undefined });
    mount(boardBox, board.stages.map((stage) => {
      const column = h("section.column", { dataset: { stage: stage.code }, "aria-label": stage.name,
        on: {
          dragover: (e) => { e.preventDefault(); column.classList.add("drop"); },
          dragleave: () => column.classList.remove("drop"),
          drop: async (e) => {
            e.preventDefault();
            column.classList.remove("drop");
            const dealId = Number(e.dataTransfer.getData("text/plain"));
            if (!dealId) return;
            try {
              const moved = await moveDeal(dealId, stage.code, pipeline);
              if (moved) toast(`Сделка №${dealId}: ${moved.stage_name}`, "ok");
            } catch (error) { toast(error.message, "error"); }
            load();
          },
        } },
        h("header", h("span", stage.name), h("span.count", String(stage.count))),
        h("div.totals", money(stage.amount), stage.required_fields.length ? h("span.muted", " · есть обязательные поля") : null),
        stage.deals.map((deal) => card(deal, names)),
        stage.count > stage.deals.length ? h("p.muted", `и ещё ${stage.count - stage.deals.length}`) : null);
      return column;
    }));
  }
  await load();
}
