#!/usr/bin/env python3
"""Campaign Monitor: server time of the dashboard's data call.

    tests/bench/run.sh bench_monitor.py --db mrm_bench_m

Times ``campaign.monitor.get_monitor_data()`` (the one call the OWL client
action makes) as the administrator, with no filter (every campaign) and with
a channel filter, warm: one untimed call, then the median of ``--repeat``
calls; then again after members of 10 and of 100 campaigns changed before
each call (one UPDATE, as any writer would), so that the call first
recomputes the stored funnel of those campaigns. The hot queries of the call
are EXPLAINed. Target: < 500 ms for 1,000 campaigns on size M.
"""

import statistics

import common

TARGET_MS = 500


def change_members(env, n_campaigns):
    """Flip the state of one member in each of ``n_campaigns`` campaigns."""
    env.cr.execute(
        """
        UPDATE marketing_campaign_member m
           SET state = CASE WHEN m.state = 'contacted' THEN 'targeted'
                            ELSE 'contacted' END
         WHERE m.id IN (
               SELECT DISTINCT ON (campaign_id) id
                 FROM marketing_campaign_member
                WHERE campaign_id IN (
                      SELECT id FROM utm_campaign ORDER BY id LIMIT %s)
                ORDER BY campaign_id, id)
        """,
        [n_campaigns],
    )


def timed_calls(monitor, filters, repeat, changed=0):
    monitor.get_monitor_data(filters)  # warm the caches
    times = []
    data = None
    for _i in range(repeat):
        if changed:
            change_members(monitor.env, changed)
        monitor.env.invalidate_all()
        with common.Stopwatch() as sw:
            data = monitor.get_monitor_data(filters)
        times.append(sw.seconds)
        assert data["refreshed"] == changed, data["refreshed"]
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
        for label, filters, changed in (
            ("all campaigns", {}, 0),
            ("channel filter (email)", {"channel": "email"}, 0),
            ("after changes in 10 campaigns", {}, 10),
            ("after changes in 100 campaigns", {}, 100),
        ):
            seconds, data = timed_calls(monitor, filters, args.repeat, changed)
            ms = seconds * 1000
            print(
                f"[monitor] {label}: {len(data['cards']):,} cards of "
                f"{n_campaigns:,} campaigns in {ms:.0f} ms (median)"
            )
            if changed:
                change_members(env, changed)
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
