#!/usr/bin/env python3
"""Response score: training on a 100,000-member segment and scoring every contact.

    tests/bench/run.sh bench_response_score.py --db mrm_bench_m [--contacts 100000]

Ours: the segment's "Train response score" action
(``marketing.segment.action_compute_response_score()``: the training set's
features, the logistic regression, the scores of every customer, the score
written on every contact of the company), timed whole. Baseline: the code
path before issue 15 (``baseline_scores`` below), same segment, same run,
in a savepoint rolled back. Both must write the same scores.
Target: < 20 s on size M. One transaction, rolled back.
"""

import common
from bench_cluster_split import make_segment

TARGET_S = 20.0


BASELINE_COLUMN = "mrm_bench_response_score_old"


def baseline_scores(env, partner_ids, company, timeout):
    """The training as it was before issue 15 (a59fdbd): the same features
    and model, then the score written on every contact of the company (one
    UPDATE of res_partner, into a scratch column added in this transaction).

    :return: (seconds or None when cut off, label, {contact: score} sample)
    """
    from odoo.tools import SQL

    from odoo.addons.marketing_resource_mgmt.tools import scoring

    cr = env.cr
    Behaviour = env["marketing.partner.behaviour"]
    cr.execute(f"ALTER TABLE res_partner ADD COLUMN {BASELINE_COLUMN} numeric")
    cr.execute(f"SET LOCAL statement_timeout = '{timeout}s'")
    try:
        with common.Stopwatch() as sw:
            rows = Behaviour._fetch_features(partner_ids, company)
            labels = [1 if row[4] > 0 else 0 for row in rows]
            features = [scoring.feature_vector(row[1], row[2], row[3]) for row in rows]
            model = scoring.train(features, labels)
            all_rows = Behaviour._fetch_features(None, company)
            scores = scoring.predict(
                model, [scoring.feature_vector(r[1], r[2], r[3]) for r in all_rows]
            )
            baseline = scoring.predict(model, [scoring.feature_vector(None, 0, 0)])[0]
            cr.execute(
                SQL(
                    "UPDATE res_partner p SET %(column)s = "
                    "COALESCE(s.score, %(baseline)s) FROM res_partner p2 "
                    "LEFT JOIN unnest(%(ids)s::int[], %(scores)s::float[]) "
                    "AS s(pid, score) "
                    "ON s.pid = p2.commercial_partner_id "
                    "WHERE p2.id = p.id "
                    "AND (p.company_id IS NULL OR p.company_id = %(company)s)",
                    column=SQL.identifier(BASELINE_COLUMN),
                    baseline=round(baseline, 4),
                    ids=[r[0] for r in all_rows],
                    scores=[round(score, 4) for score in scores],
                    company=company.id,
                )
            )
        return sw.seconds, f"{sw.seconds:.1f} s"
    except Exception as error:  # noqa: BLE001  (the cut-off is an outcome)
        if "statement timeout" not in str(error):
            raise
        return None, f"> {timeout} s"


def sample_scores(cr, column, ids):
    """{contact: score rounded to 2 digits} of ``ids`` read from ``column``."""
    cr.execute(
        f"SELECT id, round({column}::numeric, 2) FROM res_partner WHERE id = ANY(%s)",
        [ids],
    )
    return dict(cr.fetchall())


def main():
    p = common.parser(__doc__.splitlines()[1])
    p.add_argument("--contacts", type=int, default=100_000)
    p.add_argument("--timeout", type=int, default=300, help="baseline cut-off (s)")
    args = p.parse_args()
    env = common.open_env(args.db)
    cr = env.cr
    size = common.generated_size(env)
    results = []
    try:
        with common.Stopwatch() as sw:
            import sklearn.linear_model  # noqa: F401  (a worker imports it once)
        print(f"[score] importing scikit-learn (once per worker): {sw.seconds:.1f} s")
        segment = make_segment(env, args.contacts)
        env.flush_all()
        cr.execute("SAVEPOINT before_ours")
        with common.capture_queries(cr) as captured, common.Stopwatch() as sw:
            action = segment.action_compute_response_score()
            env.flush_all()
        ours_s = sw.seconds
        print(f"[score] ours: {action['params']['message']} in {ours_s:.2f} s")
        common.print_hot_plans(cr, captured, top=3, label="ours ")
        # a sample of contacts: a customer with behaviour and without, shared
        cr.execute(
            "(SELECT p.id FROM res_partner p JOIN marketing_partner_behaviour b "
            "ON b.partner_id = p.commercial_partner_id AND b.company_id = %(c)s "
            "WHERE p.company_id IS NULL OR p.company_id = %(c)s "
            "ORDER BY p.id LIMIT 500) UNION (SELECT id FROM res_partner "
            "WHERE company_id IS NULL OR company_id = %(c)s "
            "ORDER BY id DESC LIMIT 500)",
            {"c": env.company.id},
        )
        sample = [r[0] for r in cr.fetchall()]
        Partner = env["res.partner"]
        ours_sample = {
            p.id: round(p.mrm_response_score, 2) for p in Partner.browse(sample)
        }
        with common.Stopwatch() as sw_search:
            high = Partner.search_count([("mrm_response_score", ">=", 0.5)])
        print(
            f"[score] contacts with a score >= 0.5 (search): {high:,} in "
            f"{sw_search.seconds:.2f} s"
        )
        base_s, base_label = baseline_scores(
            env,
            segment._get_partner_ids(),
            segment.company_id or env.company,
            args.timeout,
        )
        print(f"[score] baseline (before issue 15, a write per contact): {base_label}")
        same = None
        if base_s is not None:
            base_sample = sample_scores(cr, BASELINE_COLUMN, sample)
            same = all(
                abs(float(base_sample[pid] or 0) - ours_sample[pid]) <= 0.011
                for pid in sample
            )
            print(f"[score] same scores on {len(sample)} sampled contacts: {same}")
        results.append(
            common.Result(
                f"response score, {args.contacts:,}-contact segment",
                size,
                ours_s,
                base_s if base_s is not None else float(args.timeout),
                "s",
                f"< {TARGET_S:.0f} s",
                ours_s < TARGET_S and same is not False,
                higher_is_better=False,
                note=f"baseline {base_label} (cut off at {args.timeout} s when "
                f"longer: ratio a lower bound); search score >= 0.5: "
                f"{sw_search.seconds:.2f} s",
            )
        )
    finally:
        cr.rollback()
        cr.close()
    common.print_table(results)
    common.save("response_score", results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
