#!/usr/bin/env python3
"""Campaign Monitor: server time of the dashboard's data call.

    tests/bench/run.sh bench_monitor.py --db mrm_bench_m

Times ``campaign.monitor.get_monitor_data()`` (the one call the OWL client
action makes) as the administrator, with no filter (every campaign) and with
a channel filter, warm: one untimed call, then the median of ``--repeat``
calls. The hot queries of the call are EXPLAINed. Target: < 500 ms for
1,000 campaigns on size M.
"""

import statistics

import common

TARGET_MS = 500


def timed_calls(monitor, filters, repeat):
    monitor.get_monitor_data(filters)  # warm the caches
    times = []
    data = None
    for _i in range(repeat):
        monitor.env.invalidate_all()
        with common.Stopwatch() as sw:
            data = monitor.get_monitor_data(filters)
        times.append(sw.seconds)
    return statistics.median(times), data


def main():
    p = common.parser(__doc__.splitlines()[1])
    p.add_argument("--repeat", type=int, default=5)
    args = p.parse_args()
    env = common.open_env(args.db)
    size = common.generated_size(env)
    admin = env.ref("base.user_admin")
    monitor = env["campaign.monitor"].with_user(admin)
    env.cr.execute("SELECT count(*) FROM utm_campaign WHERE active")
    n_campaigns = env.cr.fetchone()[0]
    results = []
    try:
        for label, filters in (
            ("all campaigns", {}),
            ("channel filter (email)", {"channel": "email"}),
        ):
            seconds, data = timed_calls(monitor, filters, args.repeat)
            ms = seconds * 1000
            print(
                f"[monitor] {label}: {len(data['cards']):,} cards of "
                f"{n_campaigns:,} campaigns in {ms:.0f} ms (median)"
            )
            with common.capture_queries(env.cr) as captured:
                monitor.get_monitor_data(filters)
            print(f"  {len(captured)} queries in the call")
            common.print_hot_plans(env.cr, captured, top=3)
            results.append(
                common.Result(
                    f"Campaign Monitor data, {label}",
                    size,
                    ms,
                    None,
                    "ms",
                    f"< {TARGET_MS} ms",
                    ms < TARGET_MS,
                    higher_is_better=False,
                    note=f"{len(data['cards']):,} campaigns, {len(captured)} queries",
                )
            )
        common.print_table(results)
        common.save("monitor", results)
    finally:
        env.cr.rollback()
        env.cr.close()


if __name__ == "__main__":
    main()
