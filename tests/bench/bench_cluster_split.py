#!/usr/bin/env python3
"""Cluster split of a 100,000-contact segment (k-means on the behaviour measures).

    tests/bench/run.sh bench_cluster_split.py --db mrm_bench_m [--contacts 100000]

Ours: the segment's cluster split action (``marketing.segment.cluster``
``action_split()``, three clusters), timed whole, with its phases (the
members' features, the fit, the children). Baseline: the code path before
issue 15, same segment, same run (``baseline_split`` below: the features
read with one lateral probe per contact, the fit on Python lists, the
profiles in one pass per cluster). Both must give the same clusters.
Target: < 10 s on size M. One transaction, rolled back.
"""

import math

import common

TARGET_S = 10.0


def make_segment(env, contacts):
    """A segment of the first ``contacts`` contacts by id (persons and
    companies alike; many never ordered)."""
    cr = env.cr
    cr.execute(
        "SELECT max(id) FROM (SELECT id FROM res_partner WHERE active "
        "AND type = 'contact' ORDER BY id LIMIT %s) x",
        [contacts],
    )
    cutoff = cr.fetchone()[0]
    domain = [("type", "=", "contact"), ("id", "<=", cutoff)]
    return env["marketing.segment"].create(
        {"name": f"Bench cluster {contacts}", "domain": repr(domain)}
    )


def baseline_split(wizard, k):
    """The split's computation as it was before issue 15 (a59fdbd): returns
    (labels, model, profiles) without creating the children."""
    from odoo.tools import SQL

    from odoo.addons.marketing_resource_mgmt.tools import clustering

    segment = wizard.segment_id
    ids = segment._get_partner_ids()
    company = segment.company_id or wizard.env.company
    wizard.env.cr.execute(
        SQL(
            "SELECT p.id, f.f0, f.f1, f.f2 FROM res_partner p, LATERAL (%s) f "
            "WHERE p.id = ANY(%s) ORDER BY p.id",
            wizard._get_feature_sql("p", company.id),
            ids,
        )
    )
    rows = wizard.env.cr.fetchall()
    features = [list(row[1:]) for row in rows]
    # clustering.plan_split / kmeans_split / profiles as they were
    dropped = [
        i
        for i in range(3)
        if max(row[i] for row in features) == min(row[i] for row in features)
    ]
    kept = [i for i in range(3) if i not in dropped]
    distinct = len({tuple(row[i] for i in kept) for row in features})
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    k_used = min(k, distinct)
    scaled = StandardScaler().fit_transform(
        [[row[i] for i in kept] for row in features]
    )
    km = KMeans(
        n_clusters=k_used,
        random_state=clustering.RANDOM_STATE,
        n_init=clustering.N_INIT,
    )
    labels = km.fit_predict(scaled)
    profiles = []
    for index in range(k_used):
        members = [
            f for f, label in zip(features, labels, strict=True) if label == index
        ]
        size = len(members)
        profiles.append(
            {
                "size": size,
                "recency": sum(r[0] for r in members) / size if size else 0.0,
                "frequency": sum(r[1] for r in members) / size if size else 0.0,
                "monetary": sum(math.expm1(r[2]) for r in members) / size
                if size
                else 0.0,
            }
        )
    return len(features), sorted(p["size"] for p in profiles)


def main():
    p = common.parser(__doc__.splitlines()[1])
    p.add_argument("--contacts", type=int, default=100_000)
    p.add_argument("--clusters", type=int, default=3)
    args = p.parse_args()
    env = common.open_env(args.db)
    cr = env.cr
    size = common.generated_size(env)
    results = []
    try:
        with common.Stopwatch() as sw:
            import sklearn.cluster  # noqa: F401  (a worker imports it once)
            import sklearn.linear_model  # noqa: F401
        print(f"[cluster] importing scikit-learn (once per worker): {sw.seconds:.1f} s")
        segment = make_segment(env, args.contacts)
        env.flush_all()
        wizard = env["marketing.segment.cluster"].create(
            {"segment_id": segment.id, "cluster_count": args.clusters}
        )
        with common.capture_queries(cr) as captured, common.Stopwatch() as sw:
            wizard.action_split()
            env.flush_all()
        ours_s = sw.seconds
        children = segment.child_ids.filtered("cluster_model")
        ours_sizes = sorted(children.mapped("cluster_size"))
        print(
            f"[cluster] ours: {sum(ours_sizes):,} contacts into {len(children)} "
            f"clusters {ours_sizes} in {ours_s:.2f} s"
        )
        common.print_hot_plans(cr, captured, top=2, label="ours ")
        with common.Stopwatch() as sw:
            count, base_sizes = baseline_split(wizard, args.clusters)
        base_s = sw.seconds
        print(
            f"[cluster] baseline (before issue 15, no children written): {count:,} "
            f"contacts, clusters {base_sizes} in {base_s:.2f} s"
        )
        same = base_sizes == ours_sizes
        print(f"[cluster] same cluster sizes: {same}")
        results.append(
            common.Result(
                f"cluster split, {sum(ours_sizes):,} contacts",
                size,
                ours_s,
                base_s,
                "s",
                f"< {TARGET_S:.0f} s",
                ours_s < TARGET_S and same,
                higher_is_better=False,
                note="baseline: the computation before issue 15, without writing "
                "the children",
            )
        )
    finally:
        cr.rollback()
        cr.close()
    common.print_table(results)
    common.save("cluster_split", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
