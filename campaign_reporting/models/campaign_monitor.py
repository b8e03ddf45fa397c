# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from contextlib import contextmanager
from datetime import timedelta
from xmlrpc.client import MAXINT

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from odoo.addons.marketing_resource_mgmt.kpi_rules import MEMBER_KPIS

from ..kpi import (
    DEFAULT_AT_RISK,
    DEFAULT_ON_TRACK,
    SIGNAL_AT_RISK,
    SIGNAL_NONE,
    SIGNAL_NOT_STARTED,
    SIGNAL_OFF_TRACK,
    SIGNAL_ON_TRACK,
    elapsed_ratio,
    has_started,
    net_return,
    percent,
    ratio,
    roi,
    roi_basis,
    rollup_data_issue,
    rollup_sum_sql,
    signal_for,
    worst_signal,
)
from .campaign_kpi import CHANNEL_SELECTION, withheld_fields
from .campaign_kpi_sql import FUNNEL_COUNTS, jit_off

FUNNEL_FIELDS = list(FUNNEL_COUNTS)
PLAIN_FIELDS = FUNNEL_FIELDS + [
    "campaign_id",
    "company_id",
    "user_id",
    "state",
    "campaign_type",
    "phase_id",
    "date_start",
    "date_end",
    "data_issue",
    "target_members",
    "target_responses",
    "target_leads",
    "target_opportunities",
    "target_won",
    "target_orders",
    "rate_lead_opportunity",
    "rate_opportunity_won",
    "rate_member_order",
]
# the money figures that add up (a parent's roll-up sums them)
SUMMED_MONEY_FIELDS = [
    "budget",
    "target_revenue",
    "revenue",
    "cost_timesheet",
    "cost_bill",
    "cost_direct",
    "cost_other",
    "cost_total",
    "committed_total",
    "cofunding_committed",
    "cofunding_claimed",
    "cofunding_received",
    "net_cost",
]
MONEY_FIELDS = [
    "currency_id",
    *SUMMED_MONEY_FIELDS,
    "net_return",
    "roi",
    "roi_basis",
    "cost_per_lead",
    "cost_per_won",
]
# The campaigns the monitor shows by default: those run by the Campaign
# Controller, as utm.campaign._is_controlled says (a template, a team, or past
# the draft state; test_monitor proves both agree). Odoo's plain UTM campaigns
# ("Sale", "Newsletter"...) have no targets, budget or analytic account: the
# monitor lists them only when asked (scope "all").
SCOPE_CONTROLLED = "controlled"
SCOPE_ALL = "all"
CONTROLLED_DOMAIN = [
    "|",
    "|",
    ("template_id", "!=", False),
    ("team_ids", "!=", False),
    ("state", "!=", "draft"),
]
# Figures of a parent campaign that are its own plus its follow-ons' (summed
# by kpi/arithmetic.py's roll-up); the ratios are computed from the sums
ROLLUP_PLAIN_FIELDS = FUNNEL_FIELDS + [
    "target_members",
    "target_responses",
    "target_leads",
    "target_opportunities",
    "target_won",
    "target_orders",
]
ROLLUP_MONEY_FIELDS = SUMMED_MONEY_FIELDS
# the responses timeline: one point a day up to this many days, one a week
# beyond
TIMELINE_DAILY_MAX = 180
# KPI -> target field whose signal counts for the campaign's overall signal
SIGNAL_TARGETS = [
    ("members_targeted", "target_members"),
    ("members_responded", "target_responses"),
    ("leads", "target_leads"),
    ("opportunities", "target_opportunities"),
    ("won", "target_won"),
    ("orders", "target_orders"),
]


def _rpc_safe(value):
    """``value`` with every None (a figure shown as "n/a") made False, as
    Odoo's own read() does, so that XML-RPC can carry it (it has no null);
    the monitor's client reads both as "n/a".

    :param value: dicts, lists and tuples of plain values, nested
    :return: the same structure without None
    """
    if value is None:
        return False
    if isinstance(value, dict):
        return {key: _rpc_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_rpc_safe(item) for item in value]
    return value


class CampaignMonitor(models.AbstractModel):
    """Data behind the Campaign Monitor client action.

    ``get_monitor_data`` is the single entry point: one call returns every card
    in a bounded number of queries (a campaign search, the recomputation of
    the stored funnel of the campaigns that changed (three queries, one when
    none did), one read of the KPI view over the stored funnel, one of the
    channel view when filtering by channel, the names of the related
    records, and two to switch PostgreSQL's JIT off around the view reads),
    whatever the number of campaigns.
    """

    _name = "campaign.monitor"
    _description = "Campaign Monitor"

    # ---- SETTINGS

    @api.model
    def _get_thresholds(self):
        """(on_track, at_risk) percentages from the settings."""
        param = self.env["ir.config_parameter"].sudo()
        return (
            float(
                param.get_param("campaign_reporting.signal_on_track", DEFAULT_ON_TRACK)
            ),
            float(
                param.get_param("campaign_reporting.signal_at_risk", DEFAULT_AT_RISK)
            ),
        )

    @api.model
    def _can_see_money(self):
        user = self.env.user
        return user.has_group("campaign_reporting.group_campaign_finance") or (
            user.has_group("marketing_resource_mgmt.group_marketing_manager")
        )

    # ---- DATA

    @contextmanager
    def _without_jit(self):
        """Read the KPI views with PostgreSQL's JIT compilation off.

        The views' plans are estimated above ``jit_above_cost``, so PostgreSQL
        JIT-compiles about a thousand expressions for a result of one row per
        campaign: 1.2 s of the 2.5 s the view took on size M. The setting is
        local to the transaction and restored afterwards.
        """
        with jit_off(self.env.cr):
            yield

    @api.model
    def _read_kpi_rows(self, model_name, domain, field_names, stored=False):
        """``search_read`` of a KPI view, without its per-value overhead.

        Same access checks (model access, record rules: ``_search``), same
        order, same values as ``search_read`` (each value goes through the
        field's own cache and read conversions, a many2one becomes
        ``(id, display_name)`` or False), but the display names are computed
        once per related model and the rows are built from one fetch instead
        of through the record cache, which cost about half of the call for
        1,000 campaigns.

        :param stored: read the view over the stored funnel (refreshed by
            ``campaign.kpi._refresh_stored_funnel`` first)
        """
        model = self.env[model_name].with_context(campaign_kpi_stored=stored)
        # search_read refuses a field the user's groups may not read
        model.check_field_access_rights("read", field_names)
        fields_ = [model._fields[name] for name in field_names]
        query = model._search(domain, order=model._order)
        self.env.cr.execute(
            query.select(
                *(SQL.identifier(query.table, field.name) for field in fields_)
            )
        )
        records = self.env.cr.fetchall()
        names = {}
        for index, field in enumerate(fields_):
            if field.type == "many2one":
                ids = {values[index] for values in records if values[index]}
                related = self.env[field.comodel_name].browse(ids).sudo()
                names[field.name] = {rec.id: rec.display_name for rec in related}
        converters = [
            (field.name, self._read_converter(field, model, names.get(field.name)))
            for field in fields_
        ]
        return [
            {
                name: convert(value)
                for (name, convert), value in zip(converters, values, strict=True)
            }
            for values in records
        ]

    @api.model
    def _read_converter(self, field, model, names=None):
        """Function turning a column's value into what ``read`` returns for
        ``field``: the field's own conversions, or for the numbers (most of
        the KPI columns) the same result without their per-value overhead.

        :param names: for a many2one, {id: display name}
        """
        if field.type == "many2one":
            return lambda value: (value, names[value]) if value else False
        if field.type == "integer":
            # Integer: int(value or 0), read as float above 2^31 - 1 (XML-RPC)
            return lambda value: (
                float(int(value or 0)) if (value or 0) > MAXINT else int(value or 0)
            )
        if field.type == "monetary" or (
            field.type == "float" and not field.get_digits(self.env)
        ):
            # Monetary (no rounding without validation), Float without digits
            return lambda value: float(value or 0.0)
        return lambda value: field.convert_to_read(
            field.convert_to_cache(value, model, validate=False), model
        )

    @api.model
    def _campaign_domain(self, filters):
        """utm.campaign domain of the monitor's filters.

        :param filters: dict with optional keys scope (``controlled``, the
            default, or ``all``: every UTM campaign, Odoo's plain ones too),
            phase_id, user_id, campaign_type, state, date_from, date_to (ISO
            dates; campaigns overlapping the period)
        """
        filters = filters or {}
        domain = []
        if filters.get("scope", SCOPE_CONTROLLED) == SCOPE_CONTROLLED:
            domain += CONTROLLED_DOMAIN
        if filters.get("phase_id"):
            domain.append(("phase_id", "=", int(filters["phase_id"])))
        if filters.get("user_id"):
            domain.append(("user_id", "=", int(filters["user_id"])))
        if filters.get("campaign_type"):
            domain.append(("campaign_type", "=", filters["campaign_type"]))
        if filters.get("state"):
            domain.append(("state", "=", filters["state"]))
        if filters.get("date_from"):
            date_from = fields.Date.to_date(filters["date_from"])
            domain += ["|", ("date_end", "=", False), ("date_end", ">=", date_from)]
        if filters.get("date_to"):
            date_to = fields.Date.to_date(filters["date_to"])
            domain += ["|", ("date_start", "=", False), ("date_start", "<=", date_to)]
        return domain

    @api.model
    def get_monitor_data(self, filters=None):
        """Everything the Campaign Monitor shows, in one call.

        :param filters: dict: phase_id, user_id, campaign_type, state, channel,
            date_from, date_to (all optional)
        :return: dict with ``cards`` (one per campaign: figures, targets,
            percentages, signals), ``totals`` (funnel, cost and revenue over the
            cards), ``options`` (choices for the filters), ``show_money``,
            ``thresholds`` and ``signal_counts``.
        """
        filters = filters or {}
        channel = filters.get("channel") or False
        if channel and channel not in dict(CHANNEL_SELECTION):
            raise UserError(_("Unknown channel %(channel)s.", channel=channel))
        show_money = self._can_see_money()
        campaigns = self.env["utm.campaign"].search(self._campaign_domain(filters))
        field_names = PLAIN_FIELDS + (MONEY_FIELDS if show_money else [])
        with self._without_jit():
            # the funnel is read from its stored copy, recomputed first for
            # the campaigns that changed: the same figures as the live views
            refreshed = self.env["campaign.kpi"]._refresh_stored_funnel()
            rows = self._read_kpi_rows(
                "campaign.kpi",
                [("campaign_id", "in", campaigns.ids)],
                field_names,
                stored=True,
            )
            channel_rows = {}
            if channel:
                channel_rows = {
                    row["campaign_id"][0]: row
                    for row in self._read_kpi_rows(
                        "campaign.kpi.channel",
                        [
                            ("campaign_id", "in", campaigns.ids),
                            ("channel", "=", channel),
                        ],
                        ["campaign_id"] + FUNNEL_FIELDS,
                        stored=True,
                    )
                }
            families, rollups = self._get_rollups(campaigns, channel, show_money)
        if channel:
            for row in rows:
                funnel = channel_rows.get(row["campaign_id"][0], {})
                for name in FUNNEL_FIELDS:
                    row[name] = funnel.get(name, 0)
        on_track, at_risk = self._get_thresholds()
        today = fields.Date.context_today(self)
        cards = []
        totals = dict.fromkeys(FUNNEL_FIELDS, 0)
        totals.update(revenue=0.0, cost_total=0.0, cofunding_committed=0.0)
        signal_counts = dict.fromkeys(
            [
                SIGNAL_ON_TRACK,
                SIGNAL_AT_RISK,
                SIGNAL_OFF_TRACK,
                SIGNAL_NOT_STARTED,
                SIGNAL_NONE,
            ],
            0,
        )
        for row in rows:
            campaign_id = row["campaign_id"][0]
            rollup = rollups.get(campaign_id)
            shown = dict(row, **rollup) if rollup else row
            card = self._prepare_card(shown, show_money, on_track, at_risk, today)
            if rollup:
                card["rollup"] = {
                    "campaign_ids": families[campaign_id],
                    "count": len(families[campaign_id]) - 1,
                    "own_figures": {name: row[name] for name in FUNNEL_FIELDS},
                }
                # the totals count each campaign once: its own figures
                for name in withheld_fields(row["data_issue"]):
                    if name in row:
                        row[name] = None
            cards.append(card)
            signal_counts[card["signal"]] += 1
            for name in FUNNEL_FIELDS:
                totals[name] += row[name] or 0
            if show_money:
                for name in ("revenue", "cost_total", "cofunding_committed"):
                    totals[name] += row.get(name) or 0.0
        if filters.get("signal"):
            cards = [card for card in cards if card["signal"] == filters["signal"]]
        timeline = self._responses_timeline(
            [row for row in rows if row["campaign_id"][0] in {c["id"] for c in cards}],
            channel,
            today,
        )
        return _rpc_safe(
            {
                "cards": cards,
                "totals": totals,
                "signal_counts": signal_counts,
                "show_money": show_money,
                "thresholds": {"on_track": on_track, "at_risk": at_risk},
                "options": self._get_filter_options(rows),
                "filters": filters,
                "timeline": timeline,
                # campaigns whose stored funnel this call recomputed
                "refreshed": refreshed,
            }
        )

    @api.model
    def _get_rollups(self, campaigns, channel, show_money):
        """The parents' figures: their own plus their follow-ons' (any depth).

        :return: ({parent id: family ids}, {parent id: summed figures})
        """
        families = {
            root: ids
            for root, ids in campaigns._get_family_ids().items()
            if len(ids) > 1
        }
        if families:
            # the follow-ons the user may read (access rules on campaigns)
            readable = set(
                self.env["utm.campaign"]
                .search([("id", "in", [i for ids in families.values() for i in ids])])
                .ids
            )
            families = {
                root: [i for i in ids if i in readable]
                for root, ids in families.items()
            }
            families = {root: ids for root, ids in families.items() if len(ids) > 1}
        rollups = self._read_rollups(
            families,
            "campaign.kpi",
            ROLLUP_PLAIN_FIELDS + (ROLLUP_MONEY_FIELDS if show_money else []),
        )
        if channel:
            channel_rollups = self._read_rollups(
                families,
                "campaign.kpi.channel",
                FUNNEL_FIELDS,
                [("channel", "=", channel)],
            )
            for campaign_id, rollup in rollups.items():
                funnel = channel_rollups.get(campaign_id, {})
                for name in FUNNEL_FIELDS:
                    rollup[name] = funnel.get(name, 0)
        return families, rollups

    @api.model
    def _read_rollups(self, families, model_name, field_names, domain=None):
        """The figures of each parent campaign summed with its follow-ons',
        in one aggregate query over the stored KPI view (kpi/arithmetic.py's
        roll-up), with the user's access rules on the KPI rows.

        :param families: {parent id: [its id and its follow-ons' ids]}
        :param model_name: ``campaign.kpi`` or ``campaign.kpi.channel``
        :param field_names: the summed figures
        :param domain: extra domain on the KPI rows (a channel)
        :return: {parent id: {field: sum, and for campaign.kpi data_issue}}
        """
        if not families:
            return {}
        model = self.env[model_name].with_context(campaign_kpi_stored=True)
        model.check_field_access_rights("read", field_names)
        pairs = [(root, cid) for root, ids in families.items() for cid in ids]
        query = model._search(
            [("campaign_id", "in", sorted({cid for _root, cid in pairs}))]
            + (domain or [])
        )
        query.order = None
        with_issue = "data_issue" in model._fields
        columns = ["campaign_id"] + list(field_names)
        if with_issue:
            columns += ["data_issue", "currency_id"]
        kpi = query.select(*(SQL.identifier(query.table, name) for name in columns))
        selects = [
            SQL("%s", rollup_sum_sql(SQL.identifier("k", name))) for name in field_names
        ]
        if with_issue:
            selects += [
                SQL("array_agg(k.data_issue)"),
                SQL("count(DISTINCT k.currency_id)"),
            ]
        self.env.cr.execute(
            SQL(
                """SELECT f.root_id, %(selects)s
                     FROM unnest(%(roots)s::int[], %(ids)s::int[])
                          AS f(root_id, campaign_id)
                     JOIN (%(kpi)s) k ON k.campaign_id = f.campaign_id
                    GROUP BY f.root_id""",
                selects=SQL(", ").join(selects),
                roots=[root for root, _cid in pairs],
                ids=[cid for _root, cid in pairs],
                kpi=kpi,
            )
        )
        result = {}
        for values in self.env.cr.fetchall():
            figures = dict(
                zip(field_names, values[1 : len(field_names) + 1], strict=True)
            )
            for name in field_names:
                field = model._fields[name]
                if figures[name] is not None and field.type == "integer":
                    figures[name] = int(figures[name])
                elif figures[name] is not None:
                    figures[name] = float(figures[name])
            if with_issue:
                issues, currencies = values[len(field_names) + 1 :]
                figures["data_issue"] = rollup_data_issue(issues, currencies) or False
            result[values[0]] = figures
        return result

    @api.model
    def _responses_per_day(self, campaign_ids, channel=False):
        """Responses of the campaigns' members per day, set-based: one
        query, whatever the number of members. A response is what the KPI
        rules count as one (kpi_rules.MEMBER_KPIS), dated by its answer
        (or reply), else by the member's last change.

        :return: list of (date, count), by date
        """
        if not campaign_ids:
            return []
        member = self.env["marketing.campaign.member"]
        member.flush_model(
            ["campaign_id", "channel", "state", "date_responded", "date_replied"]
        )
        responded = MEMBER_KPIS["members_responded"][0]("m")
        channel_sql = SQL("m.channel = %s", channel) if channel else SQL("TRUE")
        self.env.cr.execute(
            SQL(
                """
                SELECT (COALESCE(m.date_responded, m.date_replied, m.write_date)
                        AT TIME ZONE 'UTC')::date AS day,
                       count(*)
                  FROM marketing_campaign_member m
                 WHERE m.campaign_id = ANY(%s) AND %s AND %s
              GROUP BY day
              ORDER BY day
                """,
                list(campaign_ids),
                responded,
                channel_sql,
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _responses_timeline(self, rows, channel, today):
        """Responses over time against the pro-rata target of the campaigns
        shown: cumulative responses up to today, and the sum of each
        campaign's target share elapsed (kpi.elapsed_ratio, the same share
        the signals use) over the campaigns' dates.

        :param rows: the campaign.kpi rows of the cards
        :return: dict with ``labels`` (ISO dates), ``responses`` (cumulative,
            False after today) and ``target`` (pro-rata, cumulative)
        """
        per_day = self._responses_per_day(
            [row["campaign_id"][0] for row in rows], channel
        )
        starts = [row["date_start"] for row in rows if row["date_start"]]
        ends = [row["date_end"] for row in rows if row["date_end"]]
        first = min(starts + [day for day, _count in per_day[:1]], default=None)
        if not first:
            return {"labels": [], "responses": [], "target": []}
        last = max(ends + [today] + [day for day, _count in per_day[-1:]])
        span = (last - first).days
        step = 1 if span <= TIMELINE_DAILY_MAX else 7
        points = [first + timedelta(days=n) for n in range(0, span + step, step)]
        if today not in points and first <= today <= points[-1]:
            # a weekly timeline also has today's point: the responses up to
            # today, not up to the last weekly point before it
            points = sorted([*points, today])
        targets = [
            (row["target_responses"], row["date_start"], row["date_end"])
            for row in rows
            if row["target_responses"]
        ]
        labels, responses, target = [], [], []
        total, index = 0, 0
        for point in points:
            while index < len(per_day) and per_day[index][0] <= point:
                total += per_day[index][1]
                index += 1
            labels.append(fields.Date.to_string(point))
            responses.append(total if point <= today else None)
            target.append(
                round(
                    sum(
                        value * elapsed_ratio(start, end, point)
                        for value, start, end in targets
                        # before its start a campaign expects nothing yet
                        if not start or point >= start
                    ),
                    2,
                )
            )
        return {"labels": labels, "responses": responses, "target": target}

    @api.model
    def _campaign_signals(self, campaign_ids):
        """The monitor's signal of each campaign, as its card shows it to
        the user (money signals only for those who see money), read from the
        live KPI view: no write, so that a read-only request (a kanban's
        search_read) can ask for it.

        :param campaign_ids: ids of utm.campaign records the user may read
        :return: {campaign id: signal}
        """
        if not campaign_ids:
            return {}
        show_money = self._can_see_money()
        field_names = PLAIN_FIELDS + (MONEY_FIELDS if show_money else [])
        with self._without_jit():
            # sudo: the campaigns are the user's already; a salesperson's
            # KPI rules would hide the signal of a campaign they can open
            rows = self.sudo()._read_kpi_rows(
                "campaign.kpi", [("campaign_id", "in", list(campaign_ids))], field_names
            )
        on_track, at_risk = self._get_thresholds()
        today = fields.Date.context_today(self)
        return {
            row["campaign_id"][0]: self._prepare_card(
                row, show_money, on_track, at_risk, today
            )["signal"]
            for row in rows
        }

    @api.model
    def _prepare_card(self, row, show_money, on_track, at_risk, today):
        """One card of the monitor from a campaign.kpi row."""
        if show_money:
            # ratios from the sums: the ORM would read an undefined ratio as 0
            # the return as defined once in kpi/arithmetic.py
            value = roi(row["revenue"], row["net_cost"])
            row["roi"] = None if value is None else round(value, 2)
            row["roi_basis"] = roi_basis(row["net_cost"], row["cofunding_committed"])
            row["net_return"] = net_return(row["revenue"], row["net_cost"])
            row["cost_per_lead"] = ratio(row["cost_total"], row["leads"])
            row["cost_per_won"] = ratio(row["cost_total"], row["won"])
        for name in withheld_fields(row["data_issue"]):
            if name in row:
                row[name] = None
        share = elapsed_ratio(row["date_start"], row["date_end"], today)
        started = has_started(row["state"], row["date_start"], today)

        def signal(*args, **kwargs):
            # before its start a campaign is judged against nothing
            if not started:
                return SIGNAL_NOT_STARTED
            return signal_for(*args, **kwargs)

        kpis = []
        signals = []
        for kpi, target in SIGNAL_TARGETS:
            sig = signal(row[kpi], row[target], share, on_track, at_risk)
            signals.append(sig)
            kpis.append(
                {
                    "name": kpi,
                    "actual": row[kpi],
                    "target": row[target],
                    "percent": percent(row[kpi], row[target]),
                    "signal": sig,
                }
            )
        if show_money:
            sig = signal(
                row["revenue"], row["target_revenue"], share, on_track, at_risk
            )
            signals.append(sig)
            kpis.append(
                {
                    "name": "revenue",
                    "actual": row["revenue"],
                    "target": row["target_revenue"],
                    "percent": percent(row["revenue"], row["target_revenue"]),
                    "signal": sig,
                }
            )
            sig = signal(
                row["cost_total"],
                row["budget"],
                share,
                on_track,
                at_risk,
                lower_is_better=True,
            )
            signals.append(sig)
            kpis.append(
                {
                    "name": "cost_total",
                    "actual": row["cost_total"],
                    "target": row["budget"],
                    "percent": percent(row["cost_total"], row["budget"]),
                    "signal": sig,
                }
            )
        card = {
            "id": row["campaign_id"][0],
            "name": row["campaign_id"][1],
            "owner": row["user_id"] and row["user_id"][1],
            "owner_id": row["user_id"] and row["user_id"][0],
            "phase": row["phase_id"] and row["phase_id"][1],
            "state": row["state"],
            "campaign_type": row["campaign_type"],
            "date_start": fields.Date.to_string(row["date_start"]),
            "date_end": fields.Date.to_string(row["date_end"]),
            "data_issue": row["data_issue"],
            "signal": worst_signal(signals) if started else SIGNAL_NOT_STARTED,
            "kpis": kpis,
            "figures": {name: row.get(name) for name in FUNNEL_FIELDS},
            # rates from the counts shown (a channel filter changes them)
            "rates": {
                "lead_opportunity": percent(row["opportunities"], row["leads"]),
                "opportunity_won": percent(row["won"], row["opportunities"]),
                "member_order": percent(row["orders"], row["members_targeted"]),
            },
        }
        if show_money:
            card["money"] = {name: row.get(name) for name in MONEY_FIELDS[1:]}
            card["currency"] = row["currency_id"] and row["currency_id"][1]
        return card

    @api.model
    def _get_filter_options(self, rows):
        """Choices of the filters (no query beyond the rows already read)."""
        owners = {
            row["user_id"][0]: row["user_id"][1] for row in rows if row["user_id"]
        }
        phases = {
            row["phase_id"][0]: row["phase_id"][1] for row in rows if row["phase_id"]
        }
        type_field = self.env["campaign.kpi"]._fields["campaign_type"]
        return {
            "scopes": [
                (SCOPE_CONTROLLED, _("Controlled campaigns")),
                (SCOPE_ALL, _("All UTM campaigns")),
            ],
            "owners": sorted(owners.items(), key=lambda item: item[1] or ""),
            "phases": sorted(phases.items(), key=lambda item: item[1] or ""),
            "types": type_field._description_selection(self.env),
            "channels": self.env["campaign.kpi.channel"]
            ._fields["channel"]
            ._description_selection(self.env),
            "states": self.env["campaign.kpi"]
            ._fields["state"]
            ._description_selection(self.env),
        }

    # ---- ACTIONS

    @api.model
    def action_drill_down(self, campaign_id, kpi, channel=False, rollup=False):
        """Window action listing the records behind one figure of a card.

        :param campaign_id: id of the utm.campaign
        :param kpi: KPI name (a campaign.kpi field)
        :param channel: optional channel the monitor is filtered on
        :param rollup: the figure of a parent's card: the records of the
            campaign and of its follow-ons (that the user may read)
        :return: an ir.actions.act_window dict
        """
        campaign = self.env["utm.campaign"].browse(int(campaign_id)).exists()
        if not campaign:
            raise UserError(_("This campaign no longer exists."))
        campaign.check_access("read")
        kpi_model = self.env["campaign.kpi"]
        field = kpi_model._fields.get(kpi)
        if not field:
            raise UserError(_("The Campaign Monitor has no such figure."))
        label = field.get_description(self.env)["string"]
        campaigns = campaign
        if rollup:
            family = campaign._get_family_ids().get(campaign.id, campaign.ids)
            campaigns = self.env["utm.campaign"].search([("id", "in", family)])
        specs = [
            kpi_model._drill_down_spec(member, kpi, channel) for member in campaigns
        ]
        spec = None
        if all(specs) and len({model for model, _domain in specs}) == 1:
            spec = (specs[0][0], expression.OR([domain for _model, domain in specs]))
        # data_issue does not depend on the funnel: the stored view serves
        rows = (
            kpi_model.sudo()
            .with_context(campaign_kpi_stored=True)
            .search([("campaign_id", "in", campaigns.ids)])
        )
        issue = rollup_data_issue(rows.mapped("data_issue"), len(rows.currency_id))
        if not spec or kpi in withheld_fields(issue):
            # a figure shown as "n/a": say why, in the user's words
            reason = dict(
                kpi_model._fields["data_issue"]._description_selection(self.env)
            ).get(issue)
            raise UserError(
                _(
                    "%(figure)s of the campaign %(campaign)s is not available: "
                    "%(reason)s.",
                    figure=label,
                    campaign=campaign.display_name,
                    reason=reason or _("it is derived from other figures"),
                )
            )
        model, domain = spec
        return {
            "type": "ir.actions.act_window",
            "name": _(
                "%(campaign)s: %(kpi)s",
                campaign=campaign.display_name,
                kpi=label,
            ),
            "res_model": model,
            "domain": domain,
            "views": [(False, "list"), (False, "form")],
            "target": "current",
            "context": {"active_test": False, "create": False},
        }

    @api.model
    def action_open_campaign(self, campaign_id):
        """The campaign's own screen (the Campaign Controller form)."""
        campaign = self.env["utm.campaign"].browse(int(campaign_id)).exists()
        if not campaign:
            raise UserError(_("This campaign no longer exists."))
        campaign.check_access("read")
        form = self.env.ref(
            "marketing_resource_mgmt.utm_campaign_view_form_controller",
            raise_if_not_found=False,
        )
        return {
            "type": "ir.actions.act_window",
            "name": campaign.display_name,
            "res_model": "utm.campaign",
            "res_id": campaign.id,
            "views": [(form.id if form else False, "form")],
            "target": "current",
        }
