// Staff names by id (GET /users/directory), read once per page load: archived users too, since
// old deals, tasks and comments still name them.
import { api } from "./api.js";

let users = null;

export async function staffNames() {
  if (!users) {
    users = Promise.all([api.get("/users/directory"), api.get("/users/directory", { archived: true })])
      .then(([current, archived]) => new Map([...current, ...archived].map((u) => [u.id, u])));
  }
  return users;
}

export const nameOf = (names, id) => (id ? names.get(id)?.full_name || `№${id}` : "—");
