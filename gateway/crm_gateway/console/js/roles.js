// Who sees which page; the API checks the same roles on every request.
export const ROLE_NAMES = {
  admin: "Администратор", head_of_sales: "Руководитель продаж", manager: "Менеджер",
  operator: "Оператор", controller: "Контролёр", crew_member: "Бригада",
};

const STAFF = ["admin", "head_of_sales", "manager", "operator", "controller"];
const SALES = ["admin", "head_of_sales", "manager", "controller"];

// [hash prefix, module, menu label, roles]
export const PAGES = [
  ["inbox", "inbox", "Входящие", ["admin", "head_of_sales", "manager", "operator", "controller"]],
  ["clients", "client", "Клиенты", STAFF],
  ["booking", "booking", "Запись на замер", ["admin", "head_of_sales", "manager", "operator"]],
  ["deals", "kanban", "Сделки", SALES],
  ["deal", "deal", null, SALES],
  ["problems", "problems", "Проблемные заказы", SALES],
  ["jobs", "jobs", "Мои выезды", ["crew_member"]],
  ["calendar", "calendar", "Календарь", [...STAFF, "crew_member"]],
  ["reports", "reports", "Отчёты", SALES],
  ["ops", "ops", "Мониторинг", ["admin"]],
];

export const HOME = {
  admin: "ops", head_of_sales: "deals", manager: "deals", operator: "inbox", controller: "reports",
  crew_member: "jobs",
};

export const allowed = (page, role) => page[3].includes(role);
