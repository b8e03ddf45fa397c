#!/usr/bin/env python3
"""Baseline: Odoo's own rule-based lead assignment (crm.team).

    tests/bench/run.sh bench_odoo_assign.py --db mrm_bench_m --leads 16000

What it runs is Odoo's code, untouched: ``crm.team._action_assign_leads``
(the engine behind the "Assign Leads" button and the assignment cron) with
its team domains, member domains and ``assignment_max`` quotas, committing in
bundles as in production. Setup: the generator's 10 sales teams of 20
salespeople take only this run's leads (team domain on the lead source);
half of the members carry a member domain (priority, or a county), the
others take anything; each member's quota is large enough for every lead to
be placed. After the run the teams get their settings back and the leads
are deleted.

If Odoo does not finish within ``--budget`` seconds (10 minutes by default)
the run is stopped and the figure is the leads it had assigned (and
committed) by then, labelled so.
"""

import signal
import sys
from ast import literal_eval

import common


class BudgetExceeded(Exception):
    pass


def _configure_teams(env, source, leads_count):
    """Point the generator's sales teams at ``source``; return what to restore."""
    teams = env["crm.team"].search([("name", "like", "Bench Team %")], order="id")
    if not teams:
        sys.exit(
            "no 'Bench Team' sales teams: run data/generate.sh on this database first"
        )
    saved = {
        "teams": {t.id: (t.assignment_domain, t.assignment_optout) for t in teams},
        "members": {
            m.id: (m.assignment_domain, m.assignment_max, m.assignment_optout)
            for m in teams.crm_team_member_ids
        },
    }
    n_members = len(teams.crm_team_member_ids)
    # quota per run = round(assignment_max / 30): room for every lead, x2
    per_member = max(1, 2 * leads_count // n_members)
    teams.write(
        {
            "assignment_domain": repr([("source_id", "=", source.id)]),
            "assignment_optout": False,
        }
    )
    member_domains = [
        [("priority", "in", ["2", "3"])],
        [("street2", "ilike", "yorkshire")],
        [("priority", "in", ["0", "1"])],
        [("expected_revenue", ">=", 10000)],
    ]
    for i, member in enumerate(teams.crm_team_member_ids.sorted("id")):
        member.write(
            {
                "assignment_max": per_member * 30,
                "assignment_optout": False,
                "assignment_domain": repr(member_domains[i % 4]) if i % 2 else False,
            }
        )
    env.cr.commit()
    return teams, saved


def _restore_teams(env, teams, saved):
    for team in teams:
        domain, optout = saved["teams"][team.id]
        team.write({"assignment_domain": domain, "assignment_optout": optout})
    for member in teams.crm_team_member_ids:
        domain, amax, optout = saved["members"][member.id]
        member.write(
            {
                "assignment_domain": domain,
                "assignment_max": amax,
                "assignment_optout": optout,
            }
        )
    env.cr.commit()


def assigned_count(env, lead_ids):
    env.cr.execute(
        "SELECT count(*) FROM crm_lead WHERE id = ANY(%s) AND user_id IS NOT NULL",
        [lead_ids],
    )
    return env.cr.fetchone()[0]


def run_odoo_assignment(env, source, lead_ids, budget):
    """Run Odoo's assignment over the leads of ``source``; return the figures.

    :param lead_ids: the leads in the run (all of ``source``)
    :param budget: seconds after which the run is stopped
    :return: dict(leads, assigned, seconds, leads_per_s, complete)
    """
    teams, saved = _configure_teams(env, source, len(lead_ids))
    # Odoo's domains are evaluated as configured (checks the setup is what it says)
    for member in teams.crm_team_member_ids[:2]:
        literal_eval(member.assignment_domain or "[]")

    def on_alarm(_sig, _frame):
        raise BudgetExceeded()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(int(budget))
    complete = True
    try:
        with common.Stopwatch() as sw:
            try:
                teams._action_assign_leads(force_quota=True, creation_delta_days=0)
            except BudgetExceeded:
                complete = False
                env.cr.rollback()
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        env.invalidate_all()
        _restore_teams(env, teams, saved)
    assigned = assigned_count(env, lead_ids)
    return {
        "leads": len(lead_ids),
        "assigned": assigned,
        "seconds": sw.seconds,
        "leads_per_s": assigned / sw.seconds if sw.seconds else 0.0,
        "complete": complete,
    }


def main():
    p = common.parser(__doc__.splitlines()[1])
    p.add_argument("--leads", type=int, default=16_000)
    p.add_argument(
        "--budget", type=float, default=600.0, help="stop Odoo after this many seconds"
    )
    args = p.parse_args()
    env = common.open_env(args.db)
    size = common.generated_size(env)
    source = common.bench_source(env, " (Odoo assignment)")
    common.delete_bench_leads(env, source.ids)
    try:
        lead_ids = common.make_bench_leads(env, args.leads, source)
        env.cr.commit()
        print(
            (
                f"[odoo-assign] {len(lead_ids):,} new unassigned "
                "leads; running crm.team._action_assign_leads ..."
            ),
            flush=True,
        )
        fig = run_odoo_assignment(env, source, lead_ids, args.budget)
        label = "" if fig["complete"] else f" (stopped after {args.budget:.0f} s)"
        print(
            f"[odoo-assign] assigned {fig['assigned']:,}/{fig['leads']:,} "
            f"leads in {fig['seconds']:.1f} s"
            f"{label}: {fig['leads_per_s']:.1f} leads/s",
            flush=True,
        )
        result = common.Result(
            "Odoo lead assignment (baseline)",
            size,
            fig["leads_per_s"],
            None,
            "leads/s",
            "(baseline)",
            True,
            note=(
                f"{fig['assigned']:,} of {fig['leads']:,} "
                f"leads in {fig['seconds']:.1f} s{label}"
            ),
        )
        common.print_table([result])
        common.save("odoo_assign", [result], {"figures": fig})
    finally:
        common.delete_bench_leads(env, source.ids)
        env.cr.commit()
        env.cr.close()


if __name__ == "__main__":
    main()
