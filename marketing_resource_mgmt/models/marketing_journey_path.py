# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""The path of a journey's participants: one row per (step, member), with
when the member entered the step, when it was done and the result. The
scheduler's set-based statements live here: a step's trigger is ONE
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` over all participants, its
action one ``UPDATE ... RETURNING`` over the rows due (then, for the actions
that are Odoo's own mechanisms (mailings, activities, leads), one call over
the set of members)."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, split_every

from ..tools import journey as engine
from .chatter import schedule_activity

# members given to one ORM action call (activities, leads): keeps the
# prefetch cache small on a large pass
ORM_ACTION_BATCH = 1000


class MarketingJourneyPath(models.Model):
    _name = "marketing.journey.path"
    _description = "Campaign Journey Path"
    _order = "id desc"
    _rec_name = "member_id"

    # one row per (step, member), written by the pass in SQL: only the
    # columns the path needs (the journey, company and contact are the
    # step's and the member's), so that a pass moving 100,000 participants
    # writes and checks as little as it can (tests/bench/bench_journey.py)
    _log_access = False

    step_id = fields.Many2one(
        "marketing.journey.step", required=True, ondelete="cascade", readonly=True
    )
    member_id = fields.Many2one(
        "marketing.campaign.member",
        "Participant",
        required=True,
        ondelete="cascade",
        index=True,
        readonly=True,
    )
    journey_id = fields.Many2one(related="step_id.journey_id")
    partner_id = fields.Many2one(related="member_id.partner_id", string="Contact")
    company_id = fields.Many2one(related="step_id.company_id")
    state = fields.Selection(
        engine.PATH_STATES, default="waiting", required=True, readonly=True
    )
    date_entered = fields.Datetime("Entered on", readonly=True)
    date_due = fields.Datetime("Due on", readonly=True)
    date_done = fields.Datetime("Done on", readonly=True)
    result = fields.Char(readonly=True)
    variant_step_id = fields.Many2one(
        "marketing.journey.step", "A/B variant", readonly=True, ondelete="set null"
    )

    _sql_constraints = [
        (
            "step_member_unique",
            "UNIQUE(step_id, member_id)",
            "A participant goes through a journey step only once.",
        ),
    ]

    def init(self):
        res = super().init()
        # the waiting rows of a step that are due: what each pass reads; a
        # step's rows of a state by end time: the children's triggers
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS marketing_journey_path_due_idx ON "
            "marketing_journey_path (step_id, date_due) WHERE state = 'waiting'"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS marketing_journey_path_step_done_idx ON "
            "marketing_journey_path (step_id, state, date_done)"
        )
        return res

    @api.model
    def _action_list(self, domain, name):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": self._name,
            "view_mode": "list,form",
            "domain": domain,
            "context": {"search_default_group_state": 1},
        }

    # ---- ENTER A STEP (the trigger)

    @api.model
    def _trigger_sql(self, step, now, ref):
        """:return: SQL condition over the member ``m`` (its contact ``p``):
        the step's trigger has fired at ``now``, ``ref`` being the time
        from which it counts (the parent step's end, else the joining)"""
        trigger = step.trigger
        days = engine.days_interval_sql(step.trigger_days)
        if trigger == "joined":
            return SQL("TRUE")
        if trigger == "state":
            return step._state_sql("m")
        if trigger == "no_reaction":
            return SQL(
                "%s <= %s AND NOT (%s)",
                ref,
                engine.due_time(now, -step.trigger_days),
                step._state_sql("m"),
            )
        if trigger in ("quotation", "order"):
            states = ("sent",) if trigger == "quotation" else ("sale",)
            late = (
                SQL("AND s.date_order + %s <= %s", days, now)
                if trigger == "quotation"
                else SQL("")
            )
            return SQL(
                """EXISTS (SELECT 1 FROM sale_order s
                            WHERE s.partner_id IN (p.id, p.commercial_partner_id)
                              AND s.state IN %s AND s.date_order >= m.date_targeted
                              %s)""",
                states,
                late,
            )
        if trigger == "date":
            field = step.date_field_id
            alias = "m" if field.model == "marketing.campaign.member" else "p"
            return SQL(
                "%s + %s <= %s",
                SQL.identifier(alias, field.name),
                engine.days_interval_sql(step.trigger_days),
                now,
            )
        raise ValueError(trigger)

    @api.model
    def _enter_step(self, step, now):
        """Let every participant whose trigger fired enter ``step``: one
        ``INSERT ... SELECT`` over the campaign's members (a root step) or
        the parent step's rows of the step's branch; a participant already
        in the step is left alone (ON CONFLICT DO NOTHING).

        :return: number of participants who entered
        """
        journey = step.journey_id
        if self._nobody_left(step):
            return 0
        due = now
        if step.action == "wait":
            due = engine.due_time(now, step.wait_days)
        window = SQL("")
        if step.parent_id:
            parent = step.parent_id
            if step.branch == "variant":
                branch = SQL("pp.state = 'done' AND (pp.variant_step_id = %s", step.id)
                if parent.ab_winner_id == step:
                    branch = SQL("%s OR pp.variant_step_id IS NULL", branch)
                branch = SQL("%s)", branch)
            else:
                branch = SQL("pp.state = %s", step.branch)
            source = SQL(
                """marketing_journey_path pp
                   JOIN marketing_campaign_member m ON m.id = pp.member_id
                  WHERE pp.step_id = %s AND %s AND""",
                parent.id,
                branch,
            )
            ref = SQL("pp.date_done")
            if step.trigger == "no_reaction" and step.last_pass:
                # the trigger fires once, when the parent's end plus N days
                # passes: only the rows whose moment came since the last pass
                # (a participant who reacted by then never fires later, as
                # reactions are never undone)
                window = SQL(
                    "pp.date_done > %s AND",
                    engine.due_time(step.last_pass, -step.trigger_days),
                )
        else:
            source = SQL(
                "marketing_campaign_member m WHERE m.campaign_id = %s AND",
                journey.campaign_id.id,
            )
            ref = SQL("COALESCE(m.date_targeted, m.create_date)")
        trigger = self._trigger_sql(step, now, ref)
        if step.trigger in ("quotation", "order") or (
            step.trigger == "date" and step.date_field_id.model == "res.partner"
        ):
            trigger = SQL(
                "EXISTS (SELECT 1 FROM res_partner p WHERE p.id = m.partner_id AND %s)",
                trigger,
            )
        query = SQL(
            """
            INSERT INTO marketing_journey_path (
                step_id, member_id, state, date_entered, date_due)
            SELECT %(step)s, m.id, 'waiting', %(now)s, %(due)s
              FROM %(source)s %(window)s m.active
               AND NOT EXISTS (SELECT 1 FROM marketing_journey_path x
                                WHERE x.step_id = %(step)s AND x.member_id = m.id)
               AND %(trigger)s
               AND %(filter)s
            ON CONFLICT (step_id, member_id) DO NOTHING
            """,
            step=step.id,
            due=due,
            now=now,
            source=source,
            window=window,
            trigger=trigger,
            filter=step._filter_sql("m"),
        )
        self.env.cr.execute(query)
        entered = self.env.cr.rowcount
        step.last_pass = now
        if entered:
            self.invalidate_model()
        return entered

    def _nobody_left(self, step):
        """Whether every possible participant of ``step`` is in it already:
        as many rows in the step as members of the campaign (a root step) or
        rows of the parent on the step's branch. Two index-only counts, so
        that a pass with nothing to do stays cheap (a participant is never in
        a step twice, and a step's rows all come from those sources).
        """
        cr = self.env.cr
        if step.branch == "variant":
            return False
        if step.parent_id:
            cr.execute(
                "SELECT count(*) FROM marketing_journey_path "
                "WHERE step_id = %s AND state = %s",
                [step.parent_id.id, step.branch],
            )
        else:
            cr.execute(
                "SELECT count(*) FROM marketing_campaign_member WHERE campaign_id = %s",
                [step.journey_id.campaign_id.id],
            )
        sources = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*) FROM marketing_journey_path WHERE step_id = %s", [step.id]
        )
        return cr.fetchone()[0] >= sources

    # ---- DO A STEP (the action)

    def _due_sql(self, step, now):
        return SQL(
            "x.step_id = %s AND x.state = 'waiting' AND x.date_due <= %s",
            step.id,
            now,
        )

    def _finish_sql(self, step, now, result):
        """SQL: mark the step's due rows done with ``result``, returning
        their (id, member_id, partner_id)."""
        return SQL(
            """
            UPDATE marketing_journey_path x
               SET state = 'done', date_done = %(now)s, result = %(result)s
              FROM marketing_campaign_member m
             WHERE m.id = x.member_id AND %(due)s
         RETURNING x.id, x.member_id, m.partner_id
            """,
            now=now,
            result=result,
            due=self._due_sql(step, now),
        )

    def _finish(self, step, now, result):
        """Mark the step's due rows done with ``result``.

        :return: list of (path id, member id, partner id) changed
        """
        self.env.cr.execute(self._finish_sql(step, now, result))
        return self.env.cr.fetchall()

    def _finish_then(self, step, now, result, then):
        """Mark the step's due rows done and, in the same statement, do
        ``then`` with them (a data-modifying SQL reading the CTE ``done``:
        id, member_id, partner_id), without a round trip through Python.

        :return: number of rows done
        """
        self.env.cr.execute(
            SQL(
                "WITH done AS (%s), act AS (%s) SELECT count(*) FROM done",
                self._finish_sql(step, now, result),
                then,
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _execute_step(self, step, now):
        """Do ``step``'s action for its participants who are due.

        :return: dict ``{"done": n, "blocked": n, "failed": n}``
        """
        counts = {"done": 0, "blocked": 0, "failed": 0}
        action = step.action
        if action in engine.SEND_ACTIONS:
            counts["blocked"] = self._block_by_policy(
                step, now, engine.SEND_ACTIONS[action]
            )
        if action == "ab_split":
            counts["done"] = len(self._split(step, now))
        elif action == "wait":
            counts["done"] = self._finish_then(
                step,
                now,
                _("waited %(days)s days", days=step.wait_days),
                SQL("SELECT 1"),
            )
        elif action == "tag":
            counts["done"] = self._finish_then(
                step, now, _("tagged"), self._tag_sql(step)
            )
            if counts["done"]:
                self.env["res.partner"].invalidate_model(["category_id"])
        elif action == "move":
            counts["done"] = self._finish_then(
                step,
                now,
                _("moved to %(name)s", name=step.target_campaign_id.title),
                self._move_sql(step, now),
            )
            if counts["done"]:
                self.env["marketing.campaign.member"].invalidate_model()
        else:
            rows = self._finish(step, now, self._action_label(step))
            counts["failed"] = self._orm_action(step, rows, now)
            counts["done"] = len(rows) - counts["failed"]
        if counts["done"] or counts["failed"] or counts["blocked"]:
            self.invalidate_model()
        return counts

    def _action_label(self, step):
        return dict(self._fields_selection(step, "action")).get(step.action, "")

    def _fields_selection(self, record, name):
        return record._fields[name]._description_selection(self.env)

    def _block_by_policy(self, step, now, channel):
        """Mark blocked the due rows whose contact the contact policy (consent,
        frequency caps, quiet period) does not let the step reach on
        ``channel``: one UPDATE over the due rows with the policy's SQL, then
        the reasons of the blocked ones (``_check``) in their results.

        :return: number of rows blocked
        """
        Policy = self.env["marketing.contact.policy"]
        company = step.journey_id.company_id or self.env.company
        self.env.cr.execute(
            SQL(
                """
            UPDATE marketing_journey_path x
               SET state = 'blocked', date_done = %(now)s
              FROM marketing_campaign_member m
              JOIN res_partner p ON p.id = m.partner_id
             WHERE m.id = x.member_id AND %(due)s AND NOT (%(allowed)s)
         RETURNING x.id, m.partner_id
                """,
                now=now,
                due=self._due_sql(step, now),
                allowed=Policy._allowed_sql(channel, "p", now=now, company=company),
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return 0
        reasons = Policy._check(
            list({pid for _id, pid in rows}), channel, now=now, company=company
        )
        by_code = {}
        for path_id, partner_id in rows:
            by_code.setdefault(reasons.get(partner_id) or "policy", []).append(path_id)
        for code, path_ids in by_code.items():
            label = _("blocked: %(reason)s", reason=Policy._reason_label(code) or code)
            for ids in split_every(50000, path_ids):
                self.env.cr.execute(
                    "UPDATE marketing_journey_path SET result = %s WHERE id = ANY(%s)",
                    [label, list(ids)],
                )
        return len(rows)

    def _split(self, step, now):
        """A/B split: each due participant goes to a variant by its seeded
        bucket (tools/journey.ab_bucket), the rest waits for the winner."""
        variants = step.child_ids.filtered(lambda s: s.branch == "variant").sorted(
            lambda s: (s.sequence, s.id)
        )
        ranges = engine.ab_ranges([(v, v.ab_percent) for v in variants])
        bucket = engine.ab_bucket_sql(step.ab_seed, SQL("x.member_id"))
        variant_case = SQL(
            "CASE %s ELSE NULL END",
            SQL(" ").join(
                SQL("WHEN %s >= %s AND %s < %s THEN %s", bucket, lo, bucket, hi, v.id)
                for v, lo, hi in ranges
            ),
        )
        result_case = SQL(
            "CASE %s ELSE %s END",
            SQL(" ").join(
                SQL(
                    "WHEN %s >= %s AND %s < %s THEN %s",
                    bucket,
                    lo,
                    bucket,
                    hi,
                    _("variant %(name)s", name=v.name),
                )
                for v, lo, hi in ranges
            ),
            _("waits for the winner"),
        )
        self.env.cr.execute(
            SQL(
                """
            UPDATE marketing_journey_path x
               SET state = 'done', date_done = %(now)s, result = %(result)s,
                   variant_step_id = %(variant)s
             WHERE %(due)s
         RETURNING x.id, x.member_id
                """,
                now=now,
                result=result_case,
                variant=variant_case,
                due=self._due_sql(step, now),
            )
        )
        return self.env.cr.fetchall()

    def _tag_sql(self, step):
        """SQL (a CTE over ``done``): tag the contacts with the step's tags."""
        return SQL(
            """
            INSERT INTO res_partner_res_partner_category_rel (partner_id, category_id)
            SELECT DISTINCT done.partner_id, tag
              FROM done, unnest(%s::int[]) tag
            ON CONFLICT DO NOTHING
            """,
            step.tag_ids.ids,
        )

    def _move_sql(self, step, now):
        """SQL (a CTE over ``done``): add the members to the target campaign
        on the same channel, as generation adds members; a contact already
        there keeps its member."""
        target = step.target_campaign_id
        Member = self.env["marketing.campaign.member"]
        return SQL(
            """
            INSERT INTO marketing_campaign_member (
                id, campaign_id, partner_id, channel, state, access_token,
                date_targeted, company_id, active, create_date, write_date)
            SELECT n.id, %(target)s, n.partner_id, n.channel, 'targeted', %(token)s,
                   %(now)s, %(company)s, TRUE, %(now)s, %(now)s
              FROM (SELECT nextval(%(sequence)s) AS id, m.partner_id, m.channel
                      FROM done
                      JOIN marketing_campaign_member m ON m.id = done.member_id
                     ORDER BY m.id) n
            ON CONFLICT (campaign_id, partner_id, channel) DO NOTHING
            """,
            target=target.id,
            token=self.env["utm.campaign"]._member_token_sql(SQL("n.id")),
            now=now,
            company=target.company_id.id,
            sequence=f"{Member._table}_id_seq",
        )

    def _orm_action(self, step, rows, now):
        """The actions that are Odoo's own mechanisms, over the set of members
        of ``rows``: a mailing (through the campaign), activities, calls,
        leads. A participant whose action fails is marked failed with the
        error; the others keep their result.

        :return: number of rows failed
        """
        if not rows:
            return 0
        Member = self.env["marketing.campaign.member"].sudo()
        campaign = step.journey_id.campaign_id.sudo()
        if step.action in engine.SEND_ACTIONS:
            path_ids = [r[0] for r in rows]
            try:
                with self.env.cr.savepoint():
                    mailing = campaign._journey_send(
                        engine.SEND_ACTIONS[step.action],
                        [r[1] for r in rows],
                        mailing=step.mailing_id.sudo(),
                    )
            except UserError as error:
                self.env.cr.execute(
                    "UPDATE marketing_journey_path SET state = 'failed', result = %s "
                    "WHERE id = ANY(%s)",
                    [str(error)[:500], path_ids],
                )
                return len(rows)
            self.env.cr.execute(
                "UPDATE marketing_journey_path SET result = %s WHERE id = ANY(%s)",
                [_("sent (mailing %(name)s)", name=mailing.display_name), path_ids],
            )
            return 0
        failed = 0
        for chunk in split_every(ORM_ACTION_BATCH, rows):
            members = Member.browse([r[1] for r in chunk])
            path_ids = {r[1]: r[0] for r in chunk}
            for member in members:
                try:
                    with self.env.cr.savepoint():
                        self._act_on_member(step, member, now)
                except Exception as error:  # noqa: BLE001 - logged on the path row
                    failed += 1
                    self.env.cr.execute(
                        "UPDATE marketing_journey_path SET state = 'failed', "
                        "result = %s WHERE id = %s",
                        [str(error)[:500], path_ids[member.id]],
                    )
        return failed

    def _act_on_member(self, step, member, now):
        """One member's activity, call or lead (Odoo's own records)."""
        campaign = member.campaign_id
        user = member.user_id or campaign.user_id
        if step.action == "activity":
            schedule_activity(
                member,
                activity_type_id=(
                    step.activity_type_id
                    or self.env.ref("mail.mail_activity_data_todo")
                ).id,
                summary=step.activity_summary or step.name,
                date_deadline=fields.Date.to_date(
                    engine.due_time(now, step.activity_days)
                ),
                user_id=user.id or self.env.uid,
            )
        elif step.action == "call":
            call_member = member._journey_call_member()
            schedule_activity(
                call_member,
                activity_type_id=self.env.ref(
                    "marketing_resource_mgmt.mail_activity_type_campaign_call"
                ).id,
                summary=step.activity_summary or step.name,
                note=campaign.call_script or False,
                date_deadline=fields.Date.to_date(
                    engine.due_time(now, step.activity_days)
                ),
                user_id=(call_member.user_id or user).id or self.env.uid,
            )
        elif step.action == "lead":
            member.with_context(
                mrm_journey_step=step.name
            )._create_or_update_answer_lead()
