import { api, session } from "../api.js";
import { h, mount } from "../dom.js";
import { form } from "../forms.js";
import { HOME } from "../roles.js";

function enter(answer, query) {
  session.start(answer.token, answer.user);
  window.dispatchEvent(new Event("crm:login"));
  location.hash = query.next || `#/${HOME[answer.user.role] || "inbox"}`;
}

// After an admin's reset the temporary password opens only this: choosing one's own.
function choosePassword(root, temporary, query) {
  mount(root, h("section.login",
    h("h1", "Смена пароля"),
    h("div.alert.warn", "Пароль был сброшен администратором. Придумайте новый: не короче 10 символов, без логина, не из списка распространённых."),
    form({
      submit: "Сменить пароль и войти",
      fields: [
        { name: "new_password", label: "Новый пароль", type: "password", required: true },
        { name: "repeated", label: "Новый пароль ещё раз", type: "password", required: true },
      ],
      onSubmit: async (values) => {
        if (values.new_password !== values.repeated) {
          throw Object.assign(new Error("Пароли не совпадают"), { details: { repeated: ["Пароли не совпадают"] } });
        }
        enter(await api.post("/me/password", { old_password: temporary, new_password: values.new_password }), query);
      },
    })));
}

export function render(root, query) {
  const notice = query.expired ? h("div.alert.warn", "Сессия истекла. Войдите снова — введённые данные сохранены.") : null;
  mount(root, h("section.login",
    h("h1", "Вход в CRM"), notice,
    form({
      submit: "Войти",
      fields: [
        { name: "login", label: "Логин", required: true },
        { name: "password", label: "Пароль", type: "password", required: true },
      ],
      onSubmit: async (values) => {
        const answer = await api.post("/auth/login", { login: values.login || "", password: values.password || "" });
        if (!answer.must_change_password) return enter(answer, query);
        session.start(answer.token, answer.user);
        choosePassword(root, values.password, query);
      },
    })));
}
