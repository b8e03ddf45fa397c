"""Benchmark: the SMS composer's recipient checks on a campaign's SMS members.

Sending a mailing on the members, Odoo's SMS composer takes every recipient
at once and builds three collections it then reads with ``in`` for each
member: the blacklisted, the opted-out and the "already done" members
(duplicate numbers, members the mailing reached). Odoo's ``sms`` builds the
done list as a Python list it searches for each member (quadratic), and
its blacklist and opt-out as lists too. ``marketing_resource_mgmt``'s
``sms.composer`` makes them sets for a mailing on the members.

- **ours**: the three methods of the composer as installed, then one
  ``in`` per member on each (as ``_prepare_mass_sms_values`` does);
- **baseline**: Odoo's own methods (``super()`` of ours: mass_mailing_sms
  and sms) on the same records, the same ``in`` per member.

The members are generated for a throw-away campaign on ``--members``
contacts with a phone number (SMS channel); everything is rolled back. The
collections are built over every SMS member at once, as one composer would
if Odoo's composer took more than about 10,000 ids (it does not: the
sending on the members goes in batches of 5,000, see mailing_mailing.py).
"""

import common

METHODS = ("blacklist", "optout", "done")


def make_members(env, count):
    """An SMS campaign whose members are the first ``count`` persons with a
    sanitised phone number; return its SMS mailing and member ids."""
    cr = env.cr
    cr.execute(
        """
        SELECT max(id) FROM (
            SELECT id FROM res_partner
             WHERE active AND NOT is_company AND phone_sanitized IS NOT NULL
             ORDER BY id LIMIT %s) x
        """,
        [count],
    )
    cutoff = cr.fetchone()[0]
    domain = [
        ("is_company", "=", False),
        ("phone_sanitized", "!=", False),
        ("id", "<=", cutoff),
    ]
    segment = env["marketing.segment"].create(
        {"name": f"Bench SMS {count}", "domain": repr(domain)}
    )
    campaign = env["utm.campaign"].create(
        {"name": f"Bench SMS {segment.id}", "segment_ids": [(6, 0, segment.ids)]}
    )
    campaign.write(
        {
            "state": "running",
            "use_email": False,
            "use_call": False,
            "use_mail": False,
            "use_sms": True,
        }
    )
    campaign._generate_members()
    env.flush_all()
    members = campaign.member_ids.filtered(lambda m: m.channel == "sms")
    return campaign.sms_mailing_id, members.ids


def time_checks(methods, records, info):
    """Seconds to build the three collections and check every member."""
    with common.Stopwatch() as sw:
        found = {}
        for name in METHODS:
            collection = methods[name](records, info)
            found[name] = [r.id for r in records if r.id in collection]
    return sw.seconds, found


def main():
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--members", type=int, default=20_000)
    args = p.parse_args()
    env = common.open_env(args.db)
    size = common.generated_size(env)
    from odoo.addons.marketing_resource_mgmt.models.sms_composer import SmsComposer

    try:
        mailing, member_ids = make_members(env, args.members)
        composer = (
            env["sms.composer"]
            .with_context(active_id=False)
            .create(mailing._send_sms_get_composer_values(member_ids))
        )
        try:
            composer._get_records()
            parsed = "takes them"
        except ValueError as error:
            parsed = f"refuses them ({error})"
        print(
            f"[sms] Odoo's composer, given the {len(member_ids):,} ids in one "
            f"sending, {parsed}",
            flush=True,
        )
        # the lists over every member at once, as one composer would build
        # them if it took them all (the sending takes batches of 5,000)
        records = env["marketing.campaign.member"].browse(member_ids)
        with common.Stopwatch() as sw_info:
            info = composer._prepare_recipient_values(records)
        print(
            f"[sms] {len(records):,} SMS members; their numbers read by Odoo in "
            f"{sw_info.seconds:.2f} s",
            flush=True,
        )
        ours = {n: getattr(composer, f"_get_{n}_record_ids") for n in METHODS}
        odoo = super(SmsComposer, composer)
        odoo_methods = {n: getattr(odoo, f"_get_{n}_record_ids") for n in METHODS}
        ours_s, ours_found = time_checks(ours, records, info)
        print(f"[sms] ours: {ours_s:.3f} s", flush=True)
        odoo_s, odoo_found = time_checks(odoo_methods, records, info)
        print(f"[sms] Odoo's lists: {odoo_s:.3f} s", flush=True)
        assert ours_found == odoo_found, "the same members in each collection"
        counts = ", ".join(f"{n} {len(ours_found[n]):,}" for n in METHODS)
        results = [
            common.Result(
                "SMS composer recipient checks",
                size,
                ours_s,
                odoo_s,
                "s",
                "linear in the members",
                ours_s < odoo_s,
                higher_is_better=False,
                note=f"{len(records):,} SMS members ({counts})",
            )
        ]
        common.print_table(results)
        common.save("sms_lists", results)
    finally:
        env.cr.rollback()


if __name__ == "__main__":
    main()
