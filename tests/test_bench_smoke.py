"""Smoke runs of the data generator and the benchmarks' hot paths, at a small
scale, on data created inside the test transaction (rolled back after).

They keep the benchmark code working in CI and fail when a hot path falls
back to record-by-record work: each asserts a query count that must not grow
with the number of rows (measured at two sizes), or a row count. No timing.
"""

import pathlib
import sys

from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

ROOT = pathlib.Path(__file__).resolve().parent.parent
for _path in (ROOT / "data", ROOT / "tests" / "bench"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import generate  # noqa: E402  (data/generate.py)
import messy  # noqa: E402


def query_count(env, func):
    """Run ``func`` and return (its result, the number of queries it ran)."""
    env.flush_all()
    before = env.cr.sql_log_count
    result = func()
    env.flush_all()
    return result, env.cr.sql_log_count - before


@tagged("post_install", "-at_install")
class TestGeneratorSmoke(TransactionCase):
    """The generator loads a consistent database (size XS, in the transaction)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gen, cls.queries = query_count(
            cls.env, lambda: generate.generate(cls.env, "XS", 20261122)
        )

    def test_row_counts_and_bulk_loading(self):
        size = generate.SIZES["XS"]
        counts = self.gen.counts
        self.assertEqual(counts["res_partner"], size["contacts"])
        self.assertEqual(counts["crm_lead"], size["leads"])
        self.assertEqual(counts["sale_order_line"], size["order_lines"])
        self.assertEqual(counts["account_analytic_line"], size["timesheets"])
        self.assertEqual(counts["utm_campaign"], size["campaigns"])
        # rows go through COPY in chunks: a row-by-row insert would run
        # thousands of queries for the ~6,000 bulk rows
        bulk_rows = sum(counts.values())
        self.assertGreater(bulk_rows, 6_000)
        self.assertLess(self.queries, 2_000, "the generator inserts row by row")

    def test_invoices_are_balanced_posted_and_agree_with_odoo(self):
        moves = self.env["account.move"].search(
            [("id", ">=", self.gen_first_move()), ("move_type", "=", "out_invoice")]
        )
        self.assertTrue(moves)
        self.env.cr.execute(
            "SELECT count(*) FROM (SELECT move_id FROM account_move_line WHERE move_id "
            "= ANY(%s) "
            "GROUP BY move_id HAVING sum(balance) <> 0) x",
            [moves.ids],
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        sample = moves[:20]
        stored = [
            (m.amount_total, m.amount_residual, m.state, m.payment_state)
            for m in sample
        ]
        sample._compute_amount()
        self.assertEqual(
            stored,
            [
                (m.amount_total, m.amount_residual, m.state, m.payment_state)
                for m in sample
            ],
        )

    def gen_first_move(self):
        self.env.cr.execute(
            "SELECT min(id) FROM account_move WHERE name LIKE 'INV/%%' AND "
            "invoice_origin LIKE 'S%%'"
        )
        return self.env.cr.fetchone()[0] or 0

    def test_orders_agree_with_odoo(self):
        orders = self.env["sale.order"].search(
            [("user_id.login", "like", "bench.sales.%")], limit=30
        )
        self.assertEqual(len(orders), 30)
        stored = [(o.amount_total, o.invoice_status) for o in orders]
        orders._compute_amounts()
        orders.order_line._compute_qty_invoiced()
        orders.order_line._compute_invoice_status()
        orders._compute_invoice_status()
        self.assertEqual(stored, [(o.amount_total, o.invoice_status) for o in orders])
        self.assertTrue(any(o.invoice_status == "invoiced" for o in orders))

    def test_contacts_are_messy_like_real_lists(self):
        partners = self.env["res.partner"].search(
            [("email", "like", "%@%"), ("street2", "!=", False)], limit=2000
        )
        counties = set(partners.mapped("street2"))
        self.assertIn("Yorkshire, South", counties)
        self.assertIn("South Yorkshire", counties)
        phones = partners.mapped("phone")
        self.assertTrue(any(p.startswith("+44") for p in phones if p))
        self.assertTrue(any(p.startswith("0044") for p in phones if p))
        # the sanitized phone is what Odoo's phone blacklist and matching use
        one = partners.filtered(lambda p: p.phone and p.phone.startswith("0044"))[:1]
        self.assertEqual(one.phone_sanitized, messy.e164(one.phone))
        self.assertTrue(
            one.phone_sanitized.startswith("+44") and "0" != one.phone_sanitized[3]
        )

    def test_leads_wait_for_routing(self):
        unassigned = self.env["crm.lead"].search_count(
            [
                ("user_id", "=", False),
                ("team_id", "=", False),
                ("name", "like", "enquiry"),
            ]
        )
        self.assertGreater(unassigned, 0.15 * generate.SIZES["XS"]["leads"])

    def test_behaviour_after_the_load(self):
        """bench_behaviour.py at size XS: without statistics the measures
        never read the invoice-to-order link per invoice; the incremental
        refresh's queries do not grow with the customers changed, and it
        writes what the full refresh writes."""
        import bench_behaviour

        from odoo.addons.marketing_resource_mgmt.models import (
            marketing_partner_behaviour_sql as behaviour_sql,
        )

        Behaviour = self.env["marketing.partner.behaviour"]
        cr = self.env.cr
        cr.execute("SELECT count(*) FROM marketing_partner_behaviour_dirty")
        self.assertEqual(cr.fetchone()[0], 0, "the load's refresh clears the marks")
        # never analysed, then an autovacuum's count taken during the load
        for reltuples in (-1, 6):
            bench_behaviour.forget_statistics(cr, behaviour_sql.READ_TABLES, reltuples)
            plan = self.common_explain(
                behaviour_sql.measures_sql(365, Behaviour._get_campaign_event_sql())
            )
            self.assertEqual(bench_behaviour.link_nested_loops(plan), [])

        def change(count):
            cr.execute(
                "SELECT array_agg(partner_id) FROM (SELECT partner_id "
                "FROM marketing_partner_behaviour WHERE frequency > 0 "
                "ORDER BY partner_id DESC LIMIT %s) x",
                [count],
            )
            partners = cr.fetchone()[0]
            cr.execute(
                "UPDATE sale_order so SET amount_untaxed = amount_untaxed + 1 "
                "FROM res_partner p WHERE p.id = so.partner_id "
                "AND p.commercial_partner_id = ANY(%s)",
                [partners],
            )
            self.assertTrue(cr.rowcount)
            return query_count(self.env, Behaviour._refresh_marked)

        done_small, q_small = change(5)
        done_big, q_big = change(100)
        self.assertEqual((done_small, done_big), (5, 100))
        self.assertEqual(q_small, q_big)

        def table():
            cr.execute(
                "SELECT partner_id, company_id, last_date, frequency, monetary, "
                "responded, converted FROM marketing_partner_behaviour "
                "ORDER BY partner_id, company_id"
            )
            return cr.fetchall()

        incremental = table()
        Behaviour._refresh()
        self.assertEqual(incremental, table())

    def common_explain(self, query):
        import common

        return common.explain(self.env.cr, query)


def _make_users(env, count, prefix):
    salesman = env.ref("sales_team.group_sale_salesman")
    return (
        env["res.users"]
        .with_context(no_reset_password=True)
        .create(
            [
                {
                    "name": f"{prefix} {i}",
                    "login": f"{prefix.lower().replace(' ', '.')}.{i}",
                    "groups_id": [(6, 0, [salesman.id])],
                }
                for i in range(count)
            ]
        )
    )


@tagged("post_install", "-at_install")
class TestRoutingSmoke(TransactionCase):
    """bench_routing.py's rule set at a small scale: routing stays set-based."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import bench_routing
        import common

        cls.common = common
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        users = _make_users(cls.env, 8, "Smoke seller")
        cls.rules = bench_routing.make_rules(cls.env, users, n_rules=10, per_rule=4)
        cls.source = common.bench_source(cls.env, " (smoke routing)")

    def _route(self, count, seed):
        lead_ids = self.common.make_bench_leads(self.env, count, self.source, seed=seed)
        Rule = self.env["crm.routing.rule"]
        stats, queries = query_count(
            self.env, lambda: Rule._route_leads(lead_ids, rules=self.rules)
        )
        return lead_ids, stats, queries

    def test_routing_is_set_based(self):
        small_ids, small, q_small = self._route(100, seed=1)
        big_ids, big, q_big = self._route(1_000, seed=2)
        # every lead is placed: by a rule (fuzzy or plain) or by the fallback pool
        for ids, stats in ((small_ids, small), (big_ids, big)):
            self.assertEqual(stats["leads"], len(ids))
            self.assertEqual(stats["unrouted"], 0)
            self.assertEqual(
                stats["routed"]
                + stats["pooled"]
                + stats["fallback"]
                + stats["waiting"],
                len(ids),
            )
        # 8 of the 10 rules are fuzzy; together they catch a large share
        self.assertGreater(big["routed"], 300, "the rules catch a large share of leads")
        fuzzy_rules = self.rules.filtered(
            lambda r: r.criterion_ids[:1].operator
            in ("normalized", "similar", "prefix")
        )
        self.assertTrue(
            set(big["per_rule"]) & set(fuzzy_rules.ids), "fuzzy rules route leads"
        )
        # 900 more leads must not mean ~900 more queries, nor one write per
        # (rule, assignee) group: the assignments are one statement, so the
        # queries grow with neither the leads nor the groups (69 and 71 now)
        self.assertLess(q_big - q_small, 20, (q_small, q_big))
        self.assertLess(q_big, 150, (q_small, q_big))
        self.env.cr.execute(
            "SELECT count(*) FROM crm_lead WHERE id = ANY(%s) AND user_id IS NOT NULL",
            [big_ids],
        )
        self.assertEqual(self.env.cr.fetchone()[0], big["routed"])


@tagged("post_install", "-at_install")
class TestAudienceSmoke(TransactionCase):
    """bench_audience.py at a small scale: generation is one INSERT per channel."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True)
        )
        cls.partners = cls.env["res.partner"].create(
            [
                {
                    "name": f"Smoke audience {i}",
                    "email": f"smoke.audience.{i}@example.com",
                    "is_company": False,
                }
                for i in range(1_200)
            ]
        )

    def _generate(self, count):
        import bench_audience

        ids = self.partners[:count].ids
        segment = self.env["marketing.segment"].create(
            {"name": f"Smoke audience {count}", "domain": repr([("id", "in", ids)])}
        )
        campaign = bench_audience.make_campaign(self.env, segment, f"smoke {count}")
        result, queries = query_count(self.env, lambda: campaign._generate_members())
        return campaign, result[campaign.id], queries

    def test_generation_is_set_based(self):
        small, counts_small, q_small = self._generate(100)
        big, counts_big, q_big = self._generate(1_200)
        self.assertEqual(counts_small, {"email": 100})
        self.assertEqual(counts_big, {"email": 1_200})
        self.assertEqual(len(big.member_ids), 1_200)
        # 1,100 more members must not mean more queries per member
        self.assertLess(q_big - q_small, 50, (q_small, q_big))
        # re-generation adds nothing and stays set-based too
        again, q_again = query_count(self.env, lambda: big._generate_members())
        self.assertEqual(again[big.id], {"email": 0})
        self.assertLess(q_again, q_big + 10)

    def test_baseline_copies_the_list_and_ours_does_not(self):
        """The benchmark's baseline (18.0.1.0.1's mailing-list copy) writes
        one subscription per address; ours writes none and its mailing on
        the members counts the same recipients."""
        import bench_audience

        ids = self.partners[:300].ids
        segment = self.env["marketing.segment"].create(
            {"name": "Smoke audience baseline", "domain": repr([("id", "in", ids)])}
        )
        Subscription = self.env["mailing.subscription"]
        before = Subscription.search_count([])
        ours = bench_audience.make_campaign(self.env, segment, "smoke ours")
        ours._generate_members()
        self.assertEqual(Subscription.search_count([]), before)
        total, _s, opt_out, _s2 = bench_audience.mailing_costs(self.env, ours)
        self.assertEqual((total, opt_out), (300, 0))
        # the opt-out list as a sending asks for it: 6 batches of 50
        _first, _other, batches = bench_audience.opt_out_per_batch(
            self.env, ours.mailing_id, batches=3, size=50
        )
        self.assertEqual(batches, 6)
        baseline = bench_audience.make_campaign(self.env, segment, "smoke before")
        _s, members, rows, _s3 = bench_audience.before_generation(self.env, baseline)
        self.assertEqual((members, rows), (300, 300))
        self.assertEqual(Subscription.search_count([]), before + 300)


@tagged("post_install", "-at_install")
class TestCallQueueSmoke(TransactionCase):
    """bench_call_queue.py's fixture and hot path at a small scale: "next call"
    runs the same few queries on 200 or 2,000 members, reads the queue's
    partial index, and never gives a member twice."""

    def _fixture(self, members):
        import bench_call_queue

        return bench_call_queue.make_fixture_in_test(self.env, members, callers=2)

    def _take_all(self, campaign, user, count):
        import bench_call_queue

        env = self.env(user=user)
        return [bench_call_queue.take_ours(env, campaign.id) for _i in range(count)]

    def test_next_call_is_constant_and_indexed(self):
        from odoo import fields

        small, users_small = self._fixture(200)
        big, users_big = self._fixture(2_000)
        env_small = self.env(user=users_small[0])
        env_big = self.env(user=users_big[0])
        import bench_call_queue

        # one call each first: the caches (campaigns, fields) are warm after
        bench_call_queue.take_ours(env_small, small.id)
        bench_call_queue.take_ours(env_big, big.id)
        _r, q_small = query_count(
            env_small, lambda: bench_call_queue.take_ours(env_small, small.id)
        )
        _r, q_big = query_count(
            env_big, lambda: bench_call_queue.take_ours(env_big, big.id)
        )
        self.assertEqual(q_small, q_big)
        taken = self._take_all(big, users_big[1], 30)
        self.assertEqual(len(set(taken)), 30)
        self.env.cr.execute("ANALYZE marketing_campaign_member")
        plan = common_explain(
            self.env,
            self.env["marketing.campaign.member"]
            .with_user(users_big[0])
            ._next_call_sql(big, fields.Datetime.now()),
        )
        self.assertIn("marketing_campaign_member_call_queue_idx", plan)


def common_explain(env, query):
    import common

    return common.main_node(common.explain(env.cr, query))


@tagged("post_install", "-at_install")
class TestMonitorSmoke(TransactionCase):
    """bench_monitor.py's call: the monitor's queries do not grow with campaigns."""

    def _monitor_queries(self, extra):
        self.env["utm.campaign"].create(
            [{"name": f"Smoke monitor {extra} {i}"} for i in range(extra)]
        )
        monitor = self.env["campaign.monitor"].with_user(
            self.env.ref("base.user_admin")
        )
        self.env.invalidate_all()
        # Odoo's plain UTM campaigns are shown on request (scope "all")
        return query_count(self.env, lambda: monitor.get_monitor_data({"scope": "all"}))

    def test_monitor_data_is_set_based(self):
        small, q_small = self._monitor_queries(3)
        big, q_big = self._monitor_queries(30)
        self.assertEqual(len(big["cards"]), len(small["cards"]) + 30)
        # 30 more campaigns (cards) in the same number of queries
        self.assertLessEqual(q_big, q_small + 2, (q_small, q_big))


@tagged("post_install", "-at_install")
class TestWorkbookSmoke(TransactionCase):
    """bench_workbook.py at a small scale: the export's queries do not grow
    with its lines, and every line lands in the workbook."""

    def _export(self, lines):
        import bench_workbook

        campaign = bench_workbook.make_campaign(self.env, lines, seed=lines)
        report = self.env[bench_workbook.REPORT].with_user(
            self.env.ref("base.user_admin")
        )
        (content, _kind), queries = query_count(
            self.env, lambda: report.create_xlsx_report([campaign.id], {})
        )
        return bench_workbook.count_rows(content), queries

    def test_workbook_is_streamed_set_wise(self):
        rows_small, q_small = self._export(50)
        rows_big, q_big = self._export(500)
        # the timesheet and other-cost sheets together hold every line
        grown = sum(rows_big.values()) - sum(rows_small.values())
        self.assertEqual(grown, 450, (rows_small, rows_big))
        self.assertLessEqual(q_big, q_small + 2, (q_small, q_big))


@tagged("post_install", "-at_install")
class TestPlanSummary(TransactionCase):
    """The benchmarks' plan summary flags a sequential scan where an index
    would read less, and not a batch that needs most of the table."""

    def setUp(self):
        super().setUp()
        import common

        self.common = common
        cr = self.env.cr
        cr.execute(
            "CREATE TEMP TABLE bench_plan_probe (id int PRIMARY KEY, v int, w int) "
            "ON COMMIT DROP"
        )
        cr.execute(
            "INSERT INTO bench_plan_probe SELECT i, i % 5000, 0 "
            "FROM generate_series(1, 50000) i"
        )
        cr.execute("ANALYZE bench_plan_probe")

    def summary(self, query, params=None):
        plan = self.common.explain(self.env.cr, query, params)
        return self.common.main_node(
            plan, sizes=self.common.table_sizes(self.env.cr, plan)
        )

    def test_selective_scan_without_index_is_flagged(self):
        query = "SELECT id FROM bench_plan_probe WHERE v = 7"
        self.assertIn("Seq Scan on bench_plan_probe SEQ-SCAN!", self.summary(query))
        self.env.cr.execute("CREATE INDEX ON bench_plan_probe (v)")
        self.env.cr.execute("ANALYZE bench_plan_probe")
        self.assertNotIn("SEQ-SCAN!", self.summary(query))

    def test_batch_over_most_of_the_table_is_not_flagged(self):
        summary = self.summary(
            "UPDATE bench_plan_probe p SET w = 1 FROM unnest(%s::int[]) d(id) "
            "WHERE p.id = d.id",
            [list(range(1, 40001))],
        )
        self.assertNotIn("SEQ-SCAN!", summary)
        if "Seq Scan on bench_plan_probe" in summary:
            self.assertIn("whole-table pass, 80% kept", summary)


@tagged("post_install", "-at_install")
class TestTraceSyncSmoke(TransactionCase):
    """bench_trace_sync.py at a small scale: the sync is two statements
    whatever the number of traces, and equals the ORM's figures."""

    def _sync(self, traces, label):
        import bench_trace_sync

        world = bench_trace_sync.build_world(self.env, traces, campaigns=4, label=label)
        self.env.invalidate_all()
        out, queries = query_count(
            self.env,
            lambda: self.env["marketing.campaign.member"]._sync_traces(full=True),
        )
        return world, out, queries

    def test_trace_sync_is_set_based_and_equals_the_orm(self):
        import bench_trace_sync

        small, out_small, q_small = self._sync(80, "smoke small")
        big, out_big, q_big = self._sync(800, "smoke big")
        self.assertEqual(big["traces"], 800)
        self.assertGreater(out_big["members"], out_small["members"])
        # ten times the traces, not one more query
        self.assertLessEqual(q_big, q_small + 2, (q_small, q_big))
        campaigns = small["campaigns"] + big["campaigns"]
        self.assertEqual(
            bench_trace_sync.sql_member_states(self.env.cr, campaigns),
            bench_trace_sync.orm_member_states(
                self.env, [("campaign_id", "in", campaigns)]
            ),
        )


@tagged("post_install", "-at_install")
class TestClaimsSmoke(TransactionCase):
    """bench_claims.py's claim at a small scale: a claim's queries do not
    grow with the pool, and the capacity stops the claimer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        import bench_claims
        import common

        cls.common = common
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.users = _make_users(cls.env, 2, "Smoke claimer")
        cls.loads = bench_claims.loads_of(cls.env, cls.users)
        cls.source = common.bench_source(cls.env, " (smoke claims)")

    def _pool(self, count, seed, capacity):
        rule = self.env["crm.routing.rule"].create(
            {
                "name": f"Smoke pool {count}",
                "strategy": "pool",
                "domain": "[('id', '=', 0)]",
                "assignee_ids": [
                    (0, 0, {"user_id": uid, "capacity": load + capacity})
                    for uid, load in self.loads.items()
                ],
            }
        )
        lead_ids = self.common.make_bench_leads(self.env, count, self.source, seed=seed)
        self.env.cr.execute(
            "UPDATE crm_lead SET routing_state = 'pool', routing_rule_id = %s "
            "WHERE id = ANY(%s)",
            [rule.id, lead_ids],
        )
        self.env.invalidate_all()
        return rule

    def _claim(self, user, rule):
        return query_count(self.env, lambda: rule.with_user(user).action_claim_next())

    def test_claim_queries_do_not_grow_with_the_pool(self):
        small = self._pool(10, seed=1, capacity=2)
        _action, q_small = self._claim(self.users[0], small)
        small.active = False
        big = self._pool(1_000, seed=2, capacity=2)
        action, q_big = self._claim(self.users[1], big)
        self.assertEqual(action["params"]["next"]["res_model"], "crm.lead")
        self.assertLess(abs(q_big - q_small), 5, (q_small, q_big))
        # the claimer's capacity (load + 2 on this rule) stops the third claim
        self._claim(self.users[1], big)
        with self.assertRaises(UserError):
            self._claim(self.users[1], big)


@tagged("post_install", "-at_install")
class TestAnalyserSmoke(TransactionCase):
    """bench_cluster_split.py and bench_response_score.py at a small scale:
    the split and the training run the same queries whatever the segment's
    size, and the training writes no contact."""

    def _segment(self, count, tag):
        import datetime

        partners = self.env["res.partner"].create(
            [{"name": f"{tag} {i}", "comment": tag} for i in range(count)]
        )
        today = datetime.date.today()
        self.env["marketing.partner.behaviour"].create(
            [
                {
                    "partner_id": partner.id,
                    "company_id": self.env.company.id,
                    "last_date": today - datetime.timedelta(days=(i * 37) % 700),
                    "recency_days": (i * 37) % 700,
                    "frequency": i % 6,
                    "monetary": 10.0 * (i % 50),
                    "responded": i % 3 == 0,
                }
                for i, partner in enumerate(partners)
            ]
        )
        return self.env["marketing.segment"].create(
            {"name": tag, "domain": repr([("comment", "=", tag)])}
        )

    def test_split_and_training_do_not_grow_with_the_segment(self):
        small, big = self._segment(30, "smoke-small"), self._segment(300, "smoke-big")

        def split(segment):
            wizard = self.env["marketing.segment.cluster"].create(
                {"segment_id": segment.id, "cluster_count": 3}
            )
            return query_count(self.env, wizard.action_split)[1]

        # warm (the list view's reference is cached after), then a first
        # split of each
        warm = self._segment(30, "smoke-warm")
        split(warm)
        self.assertEqual(split(small), split(big))
        self.assertEqual(sum(big.child_ids.mapped("cluster_size")), 300)
        self.env.flush_all()
        self.env.cr.execute("SELECT max(write_date) FROM res_partner")
        written = self.env.cr.fetchone()[0]
        warm.action_compute_response_score()
        _res, q_small = query_count(self.env, small.action_compute_response_score)
        _res, q_big = query_count(self.env, big.action_compute_response_score)
        # ten times the contacts; one more when the company's baseline moves
        self.assertLessEqual(abs(q_big - q_small), 1, (q_small, q_big))
        self.env.cr.execute(
            "SELECT count(*) FROM res_partner WHERE write_date > %s", [written]
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0, "a write per contact")
