#!/usr/bin/env python3
"""Twenty salespeople claiming from one pool of 10,000 leads at the same
time (threads, each with its own cursor; each claim its own transaction
run through Odoo's ``retrying``, as an RPC request is).

    tests/bench/run.sh bench_claims.py --db mrm_bench_s \
        [--leads 10000] [--claimers 20] [--claims 25] [--processes] [--cold] \
        [--profile N] [--profile-race] [--sample-waits]

Each claimer has a capacity of its current load + ``--claims``; it claims
until refused, so its last call must be refused ("capacity full"). The
figures: latency of the claims (p50, p95, max, retries included), claims
per second over the race, leads won twice (must be 0), claimers over
their capacity (must be 0). Target: p95 under 200 ms.

Each claimer makes one untimed claim before the race (its capacity counts
it): a claimer's first claim opens the database connection of the
claims' own transactions and fills that new backend's catalog caches,
which the connection pool of a running server has done long before.
``--cold``: no such claim (the race then starts with twenty new
connections).

``--processes``: the claimers are processes (each its own registry and
connection, as Odoo's prefork workers are) instead of threads of one
Python process. ``--profile N``: before the race, one
claimer alone makes N claims (timed, with their CPU time, then under
cProfile); prints the statements a claim runs (count, time) and the Python
functions by own time; with ``--profile-race``, the race's threads are
profiled too (CPU time of each thread, summed). ``--sample-waits``: what
the database sessions do during the race (running or waiting, and for
what), sampled every 20 ms. The CPU time of the claimers' process(es) per
claim is printed in every mode.
"""

import cProfile
import io
import multiprocessing
import os
import pstats
import re
import statistics
import sys
import threading
import time

import common

TARGET_P95_MS = 200


def bench_claimers(env, count):
    users = env["res.users"].search([("login", "like", "bench.sales.%")], order="id")
    if len(users) < count:
        sys.exit("the generator's salespeople are missing: run data/generate.sh")
    return users[:count]


def loads_of(env, users):
    env.cr.execute(
        "SELECT user_id, count(*) FROM crm_lead WHERE user_id = ANY(%s) AND active "
        "AND probability < 100 AND routing_date >= date_trunc('day', now() at time "
        "zone 'utc') GROUP BY user_id",
        [users.ids],
    )
    counts = dict(env.cr.fetchall())
    return {uid: counts.get(uid, 0) for uid in users.ids}


def claim_loop(
    registry, uid, barrier, timings, outcomes, attempts, profile=None, warmup=0
):
    """Claim until refused; record each claim's latency and each attempt
    (an attempt more than the claims: a retry after a serialisation
    failure). ``warmup`` claims are made before the barrier, not timed (a
    new process's first claim fills its caches)."""
    from odoo import api
    from odoo.exceptions import UserError
    from odoo.service.model import retrying

    with registry.cursor() as cr:
        env = api.Environment(cr, uid, {})

        def claim():
            attempts.append(uid)
            return env["crm.lead"].action_claim_next()

        for _i in range(warmup):
            action = retrying(claim, env)
            outcomes.append((uid, "warmup", action["params"]["next"]["res_id"]))
        barrier.wait()
        if profile:
            profile.enable()
        try:
            while True:
                t0 = time.perf_counter()
                try:
                    action = retrying(claim, env)
                except UserError as exc:
                    outcomes.append((uid, "refused", str(exc)))
                    return
                except Exception as exc:  # reported in the summary
                    outcomes.append((uid, "error", repr(exc)))
                    return
                timings.append(time.perf_counter() - t0)
                outcomes.append((uid, "won", action["params"]["next"]["res_id"]))
        finally:
            if profile:
                profile.disable()


def _process_claimer(conf, db, uid, barrier, queue, warmup=1):
    """A claimer in a process of its own: its own registry and connection
    (the configuration written by the parent: twenty processes rewriting it
    at once would read each other's half-written file)."""
    timings, outcomes, attempts = [], [], []
    cpu0 = None
    try:
        import odoo

        odoo.tools.config.parse_config(["-c", conf, "-d", db, "--log-level=warn"])
        registry = odoo.modules.registry.Registry(db)
        cpu0 = time.process_time()
        claim_loop(registry, uid, barrier, timings, outcomes, attempts, warmup=warmup)
    except Exception as exc:  # reported in the summary
        outcomes.append((uid, "error", repr(exc)))
        barrier.abort()
    finally:
        cpu = time.process_time() - cpu0 if cpu0 is not None else 0.0
        queue.put((timings, outcomes, len(attempts), cpu))


def race_threads(env, users, profile_race=False, warmup=1):
    barrier = threading.Barrier(len(users))
    timings, outcomes, attempts = [], [], []
    profiles = [
        cProfile.Profile(time.thread_time) if profile_race else None for _ in users
    ]
    threads = [
        threading.Thread(
            target=claim_loop,
            args=(env.registry, uid, barrier, timings, outcomes, attempts, prof),
            kwargs={"warmup": warmup},
        )
        for uid, prof in zip(users.ids, profiles, strict=True)
    ]
    cpu0 = time.process_time()
    with common.Stopwatch() as sw:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    wins = sum(1 for o in outcomes if o[1] == "won")
    if wins:
        # the Python work of the claimers, all threads of this process
        print(
            f"[claims] CPU time of the claimers' process: "
            f"{(time.process_time() - cpu0) / wins * 1000:.1f} ms a claim",
            flush=True,
        )
    if profile_race:
        stats = pstats.Stats(profiles[0])
        for prof in profiles[1:]:
            stats.add(prof)
        print_profile(stats, "the race (thread CPU time, all threads)")
    return timings, outcomes, len(attempts), sw.seconds


def race_processes(db, users, warmup=1):
    """The race with one process per claimer; the clock starts when every
    process has loaded its registry (at the barrier)."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(len(users) + 1, timeout=600)
    queue = ctx.Queue()
    conf = common.conf_for(db)
    procs = [
        ctx.Process(
            target=_process_claimer, args=(conf, db, uid, barrier, queue, warmup)
        )
        for uid in users.ids
    ]
    for proc in procs:
        proc.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        print("[claims] a claimer process failed to start", flush=True)
    timings, outcomes, attempts, cpu = [], [], 0, 0.0
    with common.Stopwatch() as sw:
        for _proc in procs:
            t, o, a, c = queue.get()
            timings += t
            outcomes += o
            attempts += a
            cpu += c
    for proc in procs:
        proc.join()
    wins = sum(1 for o in outcomes if o[1] == "won")
    if wins:
        print(
            f"[claims] CPU time of the claimers' processes: "
            f"{cpu / wins * 1000:.1f} ms a claim",
            flush=True,
        )
    return timings, outcomes, attempts, sw.seconds


class WaitSampler(threading.Thread):
    """Samples what the database's other sessions are doing during the race
    (``pg_stat_activity``: running, or the event they wait for), every
    20 ms, on a connection of its own."""

    def __init__(self, registry):
        super().__init__(daemon=True)
        self.registry = registry
        self.samples = {}
        self.ticks = {}  # backend pid: (first, last) CPU clock ticks
        self.stop = threading.Event()

    @staticmethod
    def _cpu_ticks(pid):
        """utime + stime of a local backend (None when not readable)."""
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            return int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            return None

    def run(self):
        with self.registry.cursor() as cr:
            while not self.stop.is_set():
                cr.execute(
                    "SELECT pid, state, coalesce(wait_event_type || ':' || "
                    "wait_event, 'running') FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                for pid, state, event in cr.fetchall():
                    if state == "active":
                        self.samples[event] = self.samples.get(event, 0) + 1
                    ticks = self._cpu_ticks(pid)
                    if ticks is not None:
                        first = self.ticks.get(pid, (ticks, ticks))[0]
                        self.ticks[pid] = (first, ticks)
                cr.rollback()
                time.sleep(0.02)

    def db_cpu_seconds(self):
        """CPU time the database's backends used during the race (what a
        backend did before its first sample is not counted)."""
        hertz = os.sysconf("SC_CLK_TCK")
        return sum(last - first for first, last in self.ticks.values()) / hertz

    def report(self, wins=0):
        total = sum(self.samples.values()) or 1
        if wins:
            print(
                f"[claims] CPU time of the database backends: "
                f"{self.db_cpu_seconds() / wins * 1000:.1f} ms a claim",
                flush=True,
            )
        print("[claims] active database sessions during the race (share of samples):")
        for event, count in sorted(self.samples.items(), key=lambda kv: -kv[1])[:8]:
            print(f"  {count / total:6.1%}  {event}")


# ---------------------------------------------------------------- profile
def _statement_key(query):
    text = " ".join(str(query).split())
    text = re.sub(r"'[^']*'", "?", text)
    text = re.sub(r"\b\d+\b", "N", text)
    return text[:150]


def profile_one(env, uid, count, dump=None):
    """``count`` claims of one claimer alone, profiled: the statements
    (all cursors of the thread) and the Python functions."""
    from odoo import api, sql_db
    from odoo.exceptions import UserError
    from odoo.service.model import retrying

    statements = {}
    original = sql_db.Cursor.execute

    def execute(self, query, params=None, log_exceptions=True):
        t0 = time.perf_counter()
        try:
            return original(self, query, params, log_exceptions)
        finally:
            key = _statement_key(query.code if hasattr(query, "code") else query)
            n, s = statements.get(key, (0, 0.0))
            statements[key] = (n + 1, s + time.perf_counter() - t0)

    # without the profiler first: wall time and this thread's CPU time (the
    # Python work, what the claimers of one process share) per claim
    with env.registry.cursor() as cr:
        cenv = api.Environment(cr, uid, {})
        plain, cpu0, t0 = 0, time.thread_time(), time.perf_counter()
        for _i in range(count):
            try:
                retrying(cenv["crm.lead"].action_claim_next, cenv)
            except UserError:
                break
            plain += 1
        cpu, wall = time.thread_time() - cpu0, time.perf_counter() - t0
    if plain:
        print(
            f"[claims] one claimer alone, {plain} claims: {wall / plain * 1000:.1f} "
            f"ms a claim, of which {cpu / plain * 1000:.1f} ms CPU time in Python",
            flush=True,
        )
    profile = cProfile.Profile()
    done = 0
    sql_db.Cursor.execute = execute
    try:
        with env.registry.cursor() as cr:
            cenv = api.Environment(cr, uid, {})
            with common.Stopwatch() as sw:
                profile.enable()
                for _i in range(count):
                    try:
                        retrying(cenv["crm.lead"].action_claim_next, cenv)
                    except UserError:
                        break
                    done += 1
                profile.disable()
    finally:
        sql_db.Cursor.execute = original
    if not done:
        print("[claims] profile: no claim made")
        return plain
    total_sql = sum(s for _n, s in statements.values())
    queries = sum(n for n, _s in statements.values())
    print(
        f"[claims] profile: {done} claims of one claimer alone, "
        f"{sw.seconds / done * 1000:.1f} ms a claim (under cProfile), "
        f"{queries / done:.1f} statements a claim, "
        f"{total_sql / done * 1000:.1f} ms of them in the database driver"
    )
    for key, (n, s) in sorted(statements.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"  {n / done:5.1f} x {s / done * 1000:6.2f} ms  {key}")
    stats = pstats.Stats(profile)
    if dump:
        stats.dump_stats(dump)
    print_profile(stats, f"{done} claims, one claimer")
    return plain + done


def print_profile(stats, label, top=30):
    out = io.StringIO()
    stats.stream = out
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)
    print(f"[claims] Python profile of {label}:")
    print(out.getvalue())


# ---------------------------------------------------------------- main
def main():
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--leads", type=int, default=10_000)
    p.add_argument("--claimers", type=int, default=20)
    p.add_argument("--claims", type=int, default=25)
    p.add_argument(
        "--processes",
        action="store_true",
        help="claimers as processes (own registry and connection each)",
    )
    p.add_argument(
        "--cold",
        action="store_true",
        help="no untimed first claim (the race opens the claimers' connections)",
    )
    p.add_argument("--profile", type=int, default=0, help="profile N claims alone")
    p.add_argument(
        "--profile-race", action="store_true", help="profile the threads' race"
    )
    p.add_argument(
        "--sample-waits",
        action="store_true",
        help="sample the database sessions' wait events during the race",
    )
    args = p.parse_args()
    # a claimer's first claim opens its connection: one untimed claim each
    warmup = 0 if args.cold else 1
    env = common.open_env(args.db, {"routing_skip": True})
    size = common.generated_size(env)
    source = common.bench_source(env, " (claims)")
    rule_id = None
    try:
        users = bench_claimers(env, args.claimers + (1 if args.profile else 0))
        profiler, users = (users[-1], users[:-1]) if args.profile else (None, users)
        loads = loads_of(env, users | (profiler or users.browse()))
        rule = env["crm.routing.rule"].create(
            {
                "name": "Bench claims pool",
                "strategy": "pool",
                "domain": "[('id', '=', 0)]",  # routes nothing new
                "assignee_ids": [
                    (0, 0, {"user_id": uid, "capacity": load + args.claims + warmup})
                    for uid, load in loads.items()
                    if not profiler or uid != profiler.id
                ]
                + (
                    [(0, 0, {"user_id": profiler.id, "capacity": 0})]
                    if profiler
                    else []
                ),
            }
        )
        rule_id = rule.id
        lead_ids = common.make_bench_leads(env, args.leads, source, seed=11)
        env.cr.execute(
            "UPDATE crm_lead SET routing_state = 'pool', routing_rule_id = %s "
            "WHERE id = ANY(%s)",
            [rule.id, lead_ids],
        )
        env.cr.commit()
        mode = ("processes" if args.processes else "threads") + (
            ", cold" if args.cold else ""
        )
        print(
            f"[claims] {len(lead_ids):,} pool leads, {len(users)} claimers "
            f"({mode}), {args.claims} claims each",
            flush=True,
        )
        profiled = profile_one(env, profiler.id, args.profile) if profiler else 0
        sampler = WaitSampler(env.registry) if args.sample_waits else None
        if sampler:
            sampler.start()
        if args.processes:
            timings, outcomes, attempts, seconds = race_processes(
                args.db, users, warmup
            )
        else:
            timings, outcomes, attempts, seconds = race_threads(
                env, users, args.profile_race, warmup
            )
        if sampler:
            sampler.stop.set()
            sampler.join()
            sampler.report(sum(1 for o in outcomes if o[1] == "won"))
        wins = [o for o in outcomes if o[1] == "won"]
        warmed = sum(1 for o in outcomes if o[1] == "warmup")
        errors = [o for o in outcomes if o[1] == "error"]
        won_ids = [o[2] for o in outcomes if o[1] in ("won", "warmup")]
        double = len(won_ids) - len(set(won_ids))
        env.cr.execute(
            "SELECT user_id, count(*) FROM crm_lead WHERE id = ANY(%s) "
            "AND user_id IS NOT NULL AND user_id = ANY(%s) GROUP BY user_id",
            [lead_ids, users.ids],
        )
        held = dict(env.cr.fetchall())
        over = {uid: n for uid, n in held.items() if n > args.claims + warmup}
        env.cr.execute(
            "SELECT count(*) FROM crm_lead WHERE id = ANY(%s) AND user_id IS NOT NULL",
            [lead_ids],
        )
        taken = env.cr.fetchone()[0]
        ms = sorted(t * 1000 for t in timings)
        p50 = statistics.median(ms) if ms else None
        p95 = ms[int(0.95 * (len(ms) - 1))] if ms else None
        rate = len(wins) / seconds
        print(
            f"[claims] {mode}: {len(wins):,} claims in {seconds:.2f} s = "
            f"{rate:,.1f}/s; latency p50 {p50:.0f} ms, p95 {p95:.0f} ms, "
            f"max {ms[-1]:.0f} ms; won twice: {double}; over capacity: "
            f"{len(over)}; errors: {len(errors)}; retries after a serialisation "
            f"failure: {attempts - len(outcomes)}; leads taken {taken:,} "
            f"(wins + profiled + warm-up {len(wins) + profiled + warmed:,})",
            flush=True,
        )
        for error in errors[:5]:
            print(f"  error: {error}")
        met = (
            p95 is not None
            and p95 < TARGET_P95_MS
            and not double
            and not over
            and not errors
            and len(wins) == args.claims * len(users)
            and taken == len(wins) + profiled + warmed
        )
        results = [
            common.Result(
                f"Pool claims ({args.leads:,} leads, {len(users)} {mode} at once), p95",
                size,
                p95,
                None,
                "ms",
                f"p95 < {TARGET_P95_MS} ms, 0 double wins, capacity held",
                met,
                higher_is_better=False,
                note=(
                    f"p50 {p50:.0f} ms, max {ms[-1]:.0f} ms, {rate:,.1f} claims/s, "
                    f"{len(wins)} wins, {double} won twice, {len(over)} over "
                    "capacity"
                ),
            )
        ]
        common.print_table(results)
        common.save(
            "claims_processes" if args.processes else "claims",
            results,
            {
                "mode": mode,
                "p50_ms": p50,
                "p95_ms": p95,
                "max_ms": ms[-1],
                "claims_per_s": rate,
            },
        )
    finally:
        env.cr.rollback()
        common.delete_bench_leads(env, source.ids)
        if rule_id:
            env.cr.execute("DELETE FROM crm_routing_rule WHERE id = %s", [rule_id])
        env.cr.commit()
        env.cr.close()


if __name__ == "__main__":
    main()
