"""Search benchmark: the one search box (`GET /search`) on 1,000,000 contacts, beside raw PostgreSQL.

    .venv/bin/python bench/search.py [--profile dev|test] [--tiny] [--contacts 1000000] [--queries 200]
        [--raw-commits 2000] [--time-limit 1800]

Needs no running system. Two scratch databases (`bench_search_leads_<run>`, `bench_search_deals_<run>`)
are migrated up to the revision before the search indexes, filled with COPY (foreign keys unchecked
while loading, the data being consistent by construction; contacts with Russian
names, some with ё, a phone and most with an e-mail, both as identities; a company per 10 contacts,
a third of the contacts in one; 3 leads per 10 contacts; 2 deals per 10 contacts), then migrated to
the head, which builds the search indexes on the full data (timed), and VACUUM ANALYZEd. Both are
dropped at the end, also on an error or the time limit.

Then --queries searches of each kind (a phone as `8 916 123-45-67`, as `+7 (916) 1234567`, as
`79161234567`, its last 4 and last 7 digits, a surname, a first name and surname, a surname with a
typo, an e-mail, an INN, a deal number, a common title word), each aimed at a random existing record,
are timed in-process: leads' `crm_leads.search.search` (contacts, companies, leads) and deals'
`crm_deals.search.search`, one after the other, with limit 20. The figure is the slower of the two,
what one `GET /search` waits for on the database side (the gateway asks both at once), without RPC
or HTTP; the note gives the p95 of both in turn too. Each kind's statements are also run once under EXPLAIN ANALYZE, and the indexes
their plans read are listed: a kind that reads no search index scans a table.

Beside them, on the same server in the same run: the raw PostgreSQL figures, a primary-key lookup on
the same contacts table (p50 / p95 / max, one connection) and single-row commits/s (harness.py).

The target: p95 under 50 ms for every kind on 1,000,000 contacts. A tiny run's figures mean nothing.
"""
import argparse
import contextlib
import io
import random
import signal
import sys
import time
import warnings

import psycopg2
import sqlalchemy as sa
from sqlalchemy.orm import Session

from harness import RUN_TAG, BenchArguments, percentile, print_table, raw_postgres

warnings.filterwarnings("ignore", module="nameko")  # pkg_resources and eventlet deprecation notices
from crm_chassis.migrate import upgrade  # noqa: E402
from crm_deals import search as deals_search  # noqa: E402
from crm_leads import search as leads_search  # noqa: E402

BEFORE_SEARCH = "0004"  # the revision before the search indexes, in both services
FULL_CONTACTS = 1_000_000
MEN = ["Александр", "Алексей", "Андрей", "Артём", "Владимир", "Дмитрий", "Евгений", "Иван", "Игорь", "Кирилл",
       "Максим", "Михаил", "Никита", "Николай", "Олег", "Павел", "Пётр", "Роман", "Сергей", "Семён", "Фёдор", "Юрий"]
WOMEN = ["Алёна", "Анастасия", "Анна", "Валентина", "Дарья", "Екатерина", "Елена", "Ирина", "Ксения", "Людмила",
         "Мария", "Наталья", "Ольга", "Светлана", "Татьяна", "Юлия"]
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
            "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
            "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
            "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров",
            "Дмитриев", "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов",
            "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров",
            "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков",
            "Миронов", "Крылов", "Куликов", "Карпов", "Власов", "Мельников", "Денисов", "Гаврилов", "Тихонов",
            "Казаков", "Афанасьев", "Данилов", "Савельев", "Тимофеев", "Фомин", "Чернов", "Абрамов", "Мартынов",
            "Ефимов", "Федотов", "Щербаков", "Назаров", "Калинин", "Исаев", "Чернышёв", "Быков", "Маслов"]
FIRMS = ["Строй", "Техно", "Альфа", "Вектор", "Гранит", "Мастер", "Ресурс", "Сервис", "Комфорт", "Уют", "Север",
         "Восток", "Профи", "Экспресс", "Стандарт", "Лидер", "Партнёр", "Дом", "Окна", "Свет"]
WORKS = ["Ремонт квартиры", "Окна ПВХ", "Натяжной потолок", "Замена труб", "Монтаж кондиционера",
         "Остекление балкона", "Укладка плитки", "Установка дверей", "Электромонтаж", "Сантехника"]
VOWELS = {"о": "а", "а": "о", "е": "и", "и": "е", "ё": "о", "ы": "и"}


def parse_args() -> argparse.Namespace:
    parser = BenchArguments(__doc__, targets=("pg_url",), sizes={
        "contacts": (FULL_CONTACTS, 2000), "queries": (200, 5), "raw_commits": (2000, 20)}, time_limit=1800)
    return parser.parse_args()


def left(deadline: float) -> float:
    remaining = deadline - time.perf_counter()
    if remaining <= 0:
        raise TimeoutError
    return remaining


# -- the data ---------------------------------------------------------------------------------

def phone_of(i: int) -> str:
    """+79XXXXXXXXX, unique for i < 10**9 (7919 is prime to 10**9)."""
    return f"+79{(i * 7919) % 10**9:09d}"


def mistyped(word: str) -> str:
    """The word with its first vowel after the second letter heard wrong (Королёва -> Коралёва)."""
    at = next((i for i in range(2, len(word)) if word[i] in VOWELS), len(word) - 1)
    return word[:at] + VOWELS.get(word[at], "ы") + word[at + 1:]


def person(rng: random.Random) -> tuple[str, str]:
    """(full name, surname as written)."""
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.5:
        first, surname = rng.choice(WOMEN), surname + "а"
    else:
        first = rng.choice(MEN)
    return (f"{first} {surname}" if rng.random() < 0.7 else f"{surname} {first}"), surname


def copy_rows(cursor, table: str, columns: str, rows) -> int:
    """COPY the rows (tuples of text or None) in chunks; returns how many."""
    count, buffer = 0, io.StringIO()

    def flush():
        buffer.seek(0)
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
        buffer.seek(0)
        buffer.truncate()

    for row in rows:
        buffer.write("\t".join(r"\N" if value is None else str(value) for value in row) + "\n")
        count += 1
        if count % 100_000 == 0:
            flush()
    flush()
    return count


class Data:
    """What the seeding made, for aiming queries at records that exist."""

    def __init__(self, m: int, seed: int = 7):
        self.m, self.rng = m, random.Random(seed)
        self.companies, self.leads, self.deals = m // 10, 3 * m // 10, 2 * m // 10
        self.contacts = [person(self.rng) for _ in range(m)]
        self.emails = {i: f"client{i}@{self.rng.choice(('mail.ru', 'yandex.ru', 'gmail.com'))}"
                       for i in range(1, m + 1) if i % 5 != 0}

    def inn_of(self, company_id: int) -> str:
        return f"{7700000000 + company_id}"

    def seed_leads(self, cursor, with_inn: bool) -> dict:
        rng, loaded = self.rng, {}
        columns = "id, name, category, responsible_id" + ", inn" * with_inn
        loaded["companies"] = copy_rows(cursor, "companies", columns, (
            (c, f"ООО «{rng.choice(FIRMS)}{rng.choice(FIRMS).lower()} {c}»", "ABC"[c % 3], 1 + c % 50,
             *([self.inn_of(c)] if with_inn else [])) for c in range(1, self.companies + 1)))
        loaded["contacts"] = copy_rows(cursor, "contacts", "id, name, phone, email, company_id, responsible_id", (
            (i, name, phone_of(i), self.emails.get(i), 1 + i % self.companies if i % 3 == 0 else None, 1 + i % 50)
            for i, (name, _) in enumerate(self.contacts, start=1)))
        loaded["identities"] = copy_rows(cursor, "contact_identities", "kind, value, contact_id", (
            row for i in range(1, self.m + 1)
            for row in [("phone", phone_of(i), i)] + ([("email", self.emails[i], i)] if i in self.emails else [])))
        loaded["leads"] = copy_rows(cursor, "leads", "id, contact_id, source, channel, title, responsible_id", (
            (k, contact, "bench", "web_form", f"{rng.choice(WORKS)}: {self.contacts[contact - 1][1]}", 1 + k % 50)
            for k in range(1, self.leads + 1) for contact in [rng.randint(1, self.m)]))
        return loaded

    def seed_deals(self, cursor) -> dict:
        cursor.execute("INSERT INTO pipelines (id, code, name) VALUES (1, 'bench', 'Продажи')")
        cursor.execute("INSERT INTO stages (id, pipeline_id, code, name, position, kind)"
                       " VALUES (1, 1, 'new', 'Новая', 0, 'open')")
        rng = self.rng
        columns = "id, pipeline_id, stage_id, title, contact_id, amount, responsible_id"
        return {"deals": copy_rows(cursor, "deals", columns, (
            (d, 1, 1, f"{rng.choice(WORKS)}: {self.contacts[contact - 1][1]}", contact, rng.randint(1, 500) * 1000,
             1 + d % 50) for d in range(1, self.deals + 1) for contact in [rng.randint(1, self.m)]))}

    def queries(self, kind: str, n: int) -> list[str]:
        rng, picks = self.rng, [self.rng.randint(1, self.m) for _ in range(n)]
        national = [phone_of(i)[2:] for i in picks]
        return {
            "phone 8 916 123-45-67": [f"8 {d[:3]} {d[3:6]}-{d[6:8]}-{d[8:]}" for d in national],
            "phone +7 (916) 1234567": [f"+7 ({d[:3]}) {d[3:]}" for d in national],
            "phone 79161234567": [f"7{d}" for d in national],
            "last 4 digits": [d[-4:] for d in national],
            "last 7 digits": [f"{d[-7:-4]}-{d[-4:-2]}-{d[-2:]}" for d in national],
            "surname": [self.contacts[i - 1][1] for i in picks],
            "first name and surname": [self.contacts[i - 1][0] for i in picks],
            "surname with a typo": [mistyped(self.contacts[i - 1][1]) for i in picks],
            "e-mail": [self.emails.get(i, self.emails.get(i + 1, "client1@mail.ru")) for i in picks],
            "INN": [self.inn_of(rng.randint(1, self.companies)) for _ in picks],
            "deal number": [f"#{rng.randint(1, self.deals)}" for _ in picks],
            "title word": [rng.choice(WORKS).split()[0] for _ in picks],
        }[kind]


KINDS = ["phone 8 916 123-45-67", "phone +7 (916) 1234567", "phone 79161234567", "last 4 digits", "last 7 digits",
         "surname", "first name and surname", "surname with a typo", "e-mail", "INN", "deal number", "title word"]


# -- the run ----------------------------------------------------------------------------------

def scratch_url(pg_url: str, name: str) -> str:
    return sa.make_url(pg_url).set(drivername="postgresql+psycopg2", database=name).render_as_string(
        hide_password=False)


def seed(args: argparse.Namespace, data: Data, names: dict, deadline: float) -> tuple[list, dict]:
    """Migrate both scratch databases to BEFORE_SEARCH, COPY the data, migrate to the head (the search
    indexes), VACUUM ANALYZE: (table rows, seconds by step)."""
    seconds, loaded = {}, {}
    for service, name in names.items():
        upgrade(scratch_url(args.pg_url, name), f"crm_{service}", BEFORE_SEARCH)
        with contextlib.closing(psycopg2.connect(args.pg_url, dbname=name)) as connection:
            cursor = connection.cursor()
            cursor.execute(f"SET statement_timeout = {int(left(deadline) * 1000)}")
            cursor.execute("SET session_replication_role = replica")  # no per-row foreign-key checks while loading
            began = time.perf_counter()
            if service == "leads":
                cursor.execute("SELECT 1 FROM information_schema.columns WHERE table_name = 'companies'"
                               " AND column_name = 'inn'")
                loaded |= data.seed_leads(cursor, with_inn=cursor.fetchone() is not None)
            else:
                loaded |= data.seed_deals(cursor)
            connection.commit()
            seconds[f"{service} COPY"] = time.perf_counter() - began
        began = time.perf_counter()
        upgrade(scratch_url(args.pg_url, name), f"crm_{service}")
        seconds[f"{service} search indexes"] = time.perf_counter() - began
        with contextlib.closing(psycopg2.connect(args.pg_url, dbname=name)) as connection:
            connection.autocommit = True
            began = time.perf_counter()
            connection.cursor().execute("VACUUM (ANALYZE)")
            seconds[f"{service} vacuum analyze"] = time.perf_counter() - began
        print(f"  {service}: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items() if k.startswith(service)),
              flush=True)
    return loaded, seconds


def one_search(sessions: dict, q: str) -> tuple[float, float]:
    """(leads' seconds, deals' seconds) for one search, one after the other."""
    took = []
    for service, run in (("leads", lambda s: leads_search.search(s, q, 20, list(leads_search.KINDS), "RU")),
                         ("deals", lambda s: deals_search.search(s, q, 20))):
        began = time.perf_counter()
        run(sessions[service])
        took.append(time.perf_counter() - began)
        sessions[service].rollback()
    return took[0], took[1]


def indexes_read(sessions: dict, q: str) -> set[str]:
    """Every statement one search sends, EXPLAIN ANALYZEd: the names of the indexes their plans read."""
    names: set[str] = set()
    for session in sessions.values():
        captured = []

        def capture(conn, cursor, statement, parameters, context, executemany):
            if statement.lstrip().upper().startswith("SELECT"):
                captured.append((statement, parameters))

        engine = session.get_bind()
        sa.event.listen(engine, "before_cursor_execute", capture)
        try:
            one_search(sessions, q)
        finally:
            sa.event.remove(engine, "before_cursor_execute", capture)
        for statement, parameters in captured:
            plan = session.connection().exec_driver_sql("EXPLAIN (ANALYZE, FORMAT JSON) " + statement,
                                                        parameters).scalar()
            names |= set(plan_indexes(plan[0]["Plan"]))
        session.rollback()
    return names


def plan_indexes(node: dict):
    if "Index Name" in node:
        yield node["Index Name"]
    for child in node.get("Plans", []):
        yield from plan_indexes(child)


def raw_lookups(session: Session, m: int, n: int) -> list[float]:
    timings = []
    for contact_id in random.sample(range(1, m + 1), min(n, m)):
        began = time.perf_counter()
        session.execute(sa.text("SELECT * FROM contacts WHERE id = :id"), {"id": contact_id}).first()
        timings.append(time.perf_counter() - began)
    session.rollback()
    return sorted(timings)


def figures(values: list[float]) -> str:
    values = sorted(values)
    return " / ".join(f"{percentile(values, p) * 1000:.1f}" for p in (.5, .95, 1))


def main(args: argparse.Namespace) -> None:
    deadline = time.perf_counter() + args.time_limit
    m = args.contacts
    size_note = "full size" if m == FULL_CONTACTS else f"SCALED DOWN from {FULL_CONTACTS:,}"
    names = {"leads": f"bench_search_leads_{RUN_TAG}", "deals": f"bench_search_deals_{RUN_TAG}"}
    print(f"search bench {RUN_TAG}: {m:,} contacts ({size_note}), {args.queries} queries of each of"
          f" {len(KINDS)} kinds", flush=True)
    engines = {service: sa.create_engine(scratch_url(args.pg_url, name)) for service, name in names.items()}
    rows, timings, plans = [], {}, {}
    try:
        data = Data(m)
        loaded, seconds = seed(args, data, names, deadline)
        with Session(engines["leads"]) as leads, Session(engines["deals"]) as deals:
            sessions = {"leads": leads, "deals": deals}
            for kind in KINDS:
                one_search(sessions, data.queries(kind, 1)[0])  # warm-up: connection, catalog, the index's pages
                timings[kind] = [one_search(sessions, q) for q in data.queries(kind, args.queries) if left(deadline)]
                plans[kind] = indexes_read(sessions, data.queries(kind, 1)[0])
            raw = raw_lookups(leads, m, args.queries)
        print(f"raw PostgreSQL: {args.raw_commits} single-row commits, 1 connection", flush=True)
        commits = raw_postgres(args.pg_url, args.raw_commits, 1, deadline)
    finally:
        for engine in engines.values():
            engine.dispose()
        with contextlib.closing(psycopg2.connect(args.pg_url)) as admin:
            admin.autocommit = True
            for name in names.values():
                admin.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    rows.append(("data: contacts / identities / companies / leads / deals", " / ".join(
        f"{loaded[k]:,}" for k in ("contacts", "identities", "companies", "leads", "deals")), size_note))
    rows.append(("seeding s", f"{sum(seconds.values()):.0f}", ", ".join(f"{k} {v:.0f}" for k, v in seconds.items())))
    for kind in KINDS:
        slower = [max(pair) for pair in timings[kind]]  # the gateway asks both at once
        in_turn = sorted(sum(pair) for pair in timings[kind])
        over = percentile(sorted(slower), .95) > 0.050
        rows.append((f"search p50 / p95 / max ms, {kind}", figures(slower),
                     ("OVER 50 ms p95; " if over else "") + f"both in turn p95 {percentile(in_turn, .95) * 1000:.1f};"
                     f" {', '.join(sorted(plans[kind])) or 'NO INDEX READ'}"))
    rows.append(("raw PG lookup by id p50 / p95 / max ms", figures(raw), "SELECT * FROM contacts WHERE id = ?"))
    rows.append(("raw PG commits/s", f"{commits:.1f}", "single-row INSERTs, one connection"))
    print_table(rows, note="note (indexes the plans read)")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))  # so that cleanups run
    try:
        main(parse_args())
    except TimeoutError:
        sys.exit("the run exceeded its time limit; scratch databases dropped")
