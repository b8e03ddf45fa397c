# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Demo data that fills every screen: a few hundred UK contacts written the
way real lists are (tools/messy.py, the benchmark generator's vocabulary),
orders and invoices behind the behaviour measures, past campaigns with
members in every state (so the cluster split and the response score train),
timesheets on the campaigns' projects, and leads the demo routing rules
catch. Called once from demo/marketing_demo_data.xml; seeded, so every demo
database gets the same data."""

import random
from datetime import datetime, timedelta

from odoo import api, fields, models

from ..tools import messy

SEED = 2026
COMPANIES = 40
PERSONS_PER_COMPANY = 6
PRIVATE_PERSONS = 20
ORDERS = 70
INVOICED_SHARE = 0.6

DEMO_PRODUCTS = [
    ("MRM-DEMO-1", "Ergonomic office chair", 240.0),
    ("MRM-DEMO-2", "Sit-stand desk", 690.0),
    ("MRM-DEMO-3", "Storage unit", 180.0),
    ("MRM-DEMO-4", "Office fit-out (per day)", 950.0),
]

# past campaigns: (xml id suffix, title, template, days ago it started, days
# it ran, members, channels, owner xml id)
PAST_CAMPAIGNS = [
    (
        "winter",
        "Winter clearance",
        "template_six_step",
        200,
        60,
        150,
        ("email", "call", "mail"),
        "base.user_admin",
    ),
    (
        "webinar",
        "Autumn webinar series",
        "template_telemarketing_mail",
        75,
        45,
        120,
        ("email", "call"),
        "base.user_demo",
    ),
]


class MarketingDemoData(models.AbstractModel):
    _name = "marketing.demo.data"
    _description = "Marketing demo data"

    @api.model
    def _load(self):
        """Create the demo data (demo installs only)."""
        rng = random.Random(SEED)
        env = (
            self.sudo()
            .with_context(
                tracking_disable=True, mail_create_nolog=True, mail_notrack=True
            )
            .env
        )
        now = fields.Datetime.now()
        tag = env.ref("marketing_resource_mgmt.demo_partner_tag_uk")
        companies, persons = self._demo_contacts(env, rng, tag)
        buyers = self._demo_orders(env, rng, companies, persons, now)
        for spec in PAST_CAMPAIGNS:
            self._demo_past_campaign(env, rng, spec, persons, buyers, now)
        self._demo_leads(env, rng, persons)
        env["marketing.partner.behaviour"]._refresh()
        return True

    # ---- contacts ------------------------------------------------------------
    @api.model
    def _demo_contacts(self, env, rng, tag):
        gb = env.ref("base.uk")
        owners = [env.ref("base.user_admin"), env.ref("base.user_demo")]
        counties, weights = messy.weighted_counties()
        company_vals, places = [], []
        for i in range(COMPANIES):
            county = rng.choices(counties, weights)[0]
            name = f"{messy.company_name(rng)} ({i + 1})"
            places.append(county)
            company_vals.append(
                {
                    "name": name,
                    "is_company": True,
                    "street": messy.street(rng),
                    "street2": messy.messy_county(rng, county[0]),
                    "mrm_county": messy.messy_county(rng, county[0]),
                    "city": rng.choice(county[3]),
                    "zip": messy.postcode(rng, rng.choice(county[1])),
                    "country_id": gb.id,
                    "phone": messy.phone(rng, rng.choice(county[2])),
                    "email": f"info@{name.split()[0].lower()}{i + 1}.co.uk",
                    "user_id": owners[i % 2].id,
                    "category_id": [(4, tag.id)],
                }
            )
        companies = env["res.partner"].create(company_vals)
        person_vals = []
        for company, county in zip(companies, places, strict=True):
            for _j in range(PERSONS_PER_COMPANY):
                person_vals.append(
                    self._demo_person_vals(rng, county, gb, tag, company, owners)
                )
        for _k in range(PRIVATE_PERSONS):
            county = rng.choices(counties, weights)[0]
            person_vals.append(
                self._demo_person_vals(rng, county, gb, tag, None, owners)
            )
        persons = env["res.partner"].create(person_vals)
        # consent as real lists have it: a few opt-outs, a do-not-contact
        persons[3::41].write({"mrm_opt_out": True})
        persons[7::67].write({"mrm_do_not_contact": True})
        persons[11::29].write({"mrm_opt_out_call": True})
        return companies, persons

    @api.model
    def _demo_person_vals(self, rng, county, gb, tag, company, owners):
        first, last = rng.choice(messy.FIRST_NAMES), rng.choice(messy.LAST_NAMES)
        roll = rng.random()
        vals = {
            "name": f"{first} {last}",
            "street": messy.street(rng),
            "street2": messy.messy_county(rng, county[0]),
            "mrm_county": messy.messy_county(rng, county[0]),
            "city": rng.choice(county[3]),
            "zip": messy.postcode(rng, rng.choice(county[1])),
            "country_id": gb.id,
            "phone": messy.phone(rng, rng.choice(county[2])),
            "mobile": messy.mobile(rng) if roll < 0.6 else False,
            # about one in twelve has no e-mail address
            "email": (
                f"{first}.{last}{rng.randrange(100)}@{rng.choice(messy.MAIL_DOMAINS)}".lower().replace(
                    " ", ""
                )
                if roll < 0.92
                else False
            ),
            "user_id": rng.choice(owners).id,
            "category_id": [(4, tag.id)],
        }
        if company:
            vals["parent_id"] = company.id
            vals["type"] = "contact"
        return vals

    # ---- orders and invoices -------------------------------------------------
    @api.model
    def _demo_orders(self, env, rng, companies, persons, now):
        """Confirmed orders over the last two years, most of them invoiced.

        :return: the persons who ordered (recency and frequency vary)
        """
        # a third of the companies buy often, a third now and then, the rest never
        weights = [
            6 if i % 3 == 0 else (1 if i % 3 == 1 else 0) for i in range(len(companies))
        ]
        by_company = {}
        for person in persons.filtered("parent_id"):
            by_company.setdefault(person.parent_id.id, []).append(person)
        specs = []
        for _n in range(ORDERS):
            company = rng.choices(companies, weights)[0]
            person = rng.choice(by_company[company.id])
            specs.append((person, now - timedelta(days=rng.randint(3, 700)), None))
        self._demo_create_orders(env, rng, specs)
        return env["res.partner"].union(*[spec[0] for spec in specs])

    @api.model
    def _demo_create_orders(self, env, rng, specs):
        """Confirm one order per (person, date, campaign) and invoice most.

        :return: the orders
        """
        if not specs:
            return env["sale.order"]
        products = self._demo_products(env)
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": person.id,
                    "user_id": person.user_id.id,
                    "campaign_id": campaign.id if campaign else False,
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": product.id,
                                "product_uom_qty": rng.randint(1, 12),
                            },
                        )
                        for product in rng.sample(list(products), rng.randint(1, 3))
                    ],
                }
                for person, _date, campaign in specs
            ]
        )
        orders.action_confirm()
        for order, (_person, date, _campaign) in zip(orders, specs, strict=True):
            order.date_order = date
        to_invoice = orders.filtered(lambda o: rng.random() < INVOICED_SHARE)
        invoices = to_invoice._create_invoices()
        for invoice in invoices:
            order = invoice.line_ids.sale_line_ids.order_id[:1]
            invoice.invoice_date = order.date_order.date() + timedelta(days=2)
        invoices.action_post()
        return orders

    @api.model
    def _demo_products(self, env):
        """The products the demo customers buy (plain records: no external
        ids, so that uninstalling the addon keeps the orders and invoices
        that use them)."""
        products = env["product.product"].search(
            [("default_code", "in", [p[0] for p in DEMO_PRODUCTS])],
            order="default_code",
        )
        if products:
            return products
        return env["product.product"].create(
            [
                {
                    "default_code": code,
                    "name": name,
                    "type": "service",
                    "invoice_policy": "order",
                    "list_price": price,
                    "taxes_id": [(5, 0, 0)],
                }
                for code, name, price in DEMO_PRODUCTS
            ]
        )

    # ---- past campaigns ------------------------------------------------------
    @api.model
    def _demo_past_campaign(self, env, rng, spec, persons, buyers, now):
        key, title, template, started, days, size, channels, owner = spec
        date_start = (now - timedelta(days=started)).date()
        date_end = date_start + timedelta(days=days)
        campaign = env["utm.campaign"].create(
            {
                "title": title,
                "template_id": env.ref(f"marketing_resource_mgmt.{template}").id,
                "user_id": env.ref(owner).id,
                "date_start": date_start,
                "date_end": date_end,
                "budget": 4000 + 1000 * len(channels),
                "target_members": size,
                "target_responses": size // 5,
                "use_email": "email" in channels,
                "use_call": "call" in channels,
                "use_mail": "mail" in channels,
            }
        )
        env["ir.model.data"]._update_xmlids(
            [
                {
                    "xml_id": f"marketing_resource_mgmt.demo_campaign_{key}",
                    "record": campaign,
                    "noupdate": True,
                }
            ]
        )
        campaign.action_start()
        self._demo_phase_by_dates(campaign, date_end, now)
        eligible = persons.filtered(
            lambda p: not p.mrm_do_not_contact and not p.mrm_opt_out
        )
        chosen = rng.sample(list(eligible), min(size, len(eligible)))
        members = env["marketing.campaign.member"].create(
            [
                self._demo_member_vals(
                    rng, campaign, person, channels, buyers, date_start
                )
                for person in chosen
            ]
        )
        # conversions became orders of the campaign
        self._demo_create_orders(
            env,
            rng,
            [
                (member.partner_id, member.date_responded, campaign)
                for member in members
                if member.state == "converted"
            ],
        )
        self._demo_timesheets(env, rng, campaign, date_start, days)
        return campaign

    @api.model
    def _align_phases(self, campaign_ids):
        """Move running demo campaigns to the phase their dates say."""
        now = fields.Datetime.now()
        for campaign in self.env["utm.campaign"].sudo().browse(campaign_ids):
            if campaign.state == "running" and campaign.date_end:
                self._demo_phase_by_dates(campaign, campaign.date_end, now)
        return True

    @api.model
    def _demo_phase_by_dates(self, campaign, date_end, now):
        """Move the campaign to the phase its dates say: the share of its
        duration gone by picks the phase; a campaign whose end is past is
        in its last phase with the earlier ones done."""
        phases = campaign.phase_ids.sorted(lambda p: (p.sequence, p.id))
        total = (date_end - campaign.date_start).days or 1
        gone = (now.date() - campaign.date_start).days
        target = min(int(len(phases) * gone / total), len(phases) - 1)
        for phase in phases[:target]:
            phase.task_ids.sudo().write({"state": "1_done"})
            phase._close()

    @api.model
    def _demo_member_vals(self, rng, campaign, person, channels, buyers, date_start):
        channel = rng.choice(
            [c for c in channels if c != "call" or not person.mrm_opt_out_call]
            or ["email"]
        )
        if channel == "email" and not person.email:
            channel = "mail"
        # buyers answer more often: the response score has something to learn
        answer_rate = 0.45 if person in buyers else 0.12
        start = datetime.combine(date_start, datetime.min.time())
        targeted = start + timedelta(hours=rng.randint(1, 48))
        contacted = targeted + timedelta(days=rng.randint(1, 10))
        answered = contacted + timedelta(days=rng.randint(0, 7))
        vals = {
            "campaign_id": campaign.id,
            "partner_id": person.id,
            "channel": channel,
            "date_targeted": targeted,
            "state": "targeted",
        }
        roll = rng.random()
        if roll < 0.08:
            return vals  # never reached
        if roll < 0.12:
            vals.update(state="bounced")
            if channel == "email":
                vals.update(date_sent=contacted, date_bounced=contacted)
            return vals
        vals["date_contacted"] = contacted
        if channel == "email":
            vals.update(state="sent", date_sent=contacted)
            if rng.random() < 0.5:
                vals.update(state="opened", date_opened=contacted)
                if rng.random() < 0.4:
                    vals.update(state="clicked", date_clicked=contacted)
        elif channel in ("call", "mail"):
            vals["state"] = "contacted"
        if rng.random() < answer_rate:
            outcome = rng.random()
            if outcome < 0.35:
                state, answer = "converted", "interested"
            elif outcome < 0.7:
                state, answer = "responded", rng.choice(["interested", "callback"])
            elif outcome < 0.9:
                state, answer = "declined", "not_interested"
            else:
                state, answer = "unsubscribed", "unsubscribe"
            vals.update(state=state, answer=answer, date_responded=answered)
            if state == "unsubscribed":
                vals.update(date_responded=False, date_unsubscribed=answered)
        elif channel == "email" and rng.random() < 0.05:
            vals.update(state="replied", date_replied=answered, date_responded=answered)
        return vals

    @api.model
    def _demo_timesheets(self, env, rng, campaign, date_start, days):
        employees = env["hr.employee"].search(
            [("company_id", "in", [campaign.company_id.id, False])], limit=3
        )
        if not employees or not campaign.project_id:
            return
        env["account.analytic.line"].create(
            [
                {
                    "name": f"{campaign.title}: {task}",
                    "project_id": campaign.project_id.id,
                    "employee_id": employee.id,
                    "unit_amount": rng.choice([1.0, 2.0, 3.5, 4.0, 6.0]),
                    "date": date_start
                    + timedelta(days=rng.randint(0, max(days - 1, 0))),
                }
                for employee in employees
                for task in ("planning", "call list", "follow-up")
            ]
        )

    # ---- leads ---------------------------------------------------------------
    @api.model
    def _demo_leads(self, env, rng, persons):
        """Web leads from the contacts of South and West Yorkshire: the demo
        routing rules route or pool them on creation."""
        yorkshire = persons.filtered(
            lambda p: p.phone and messy.e164(p.phone)[:6] in ("+44114", "+44113")
        )
        env["crm.lead"].create(
            [
                {
                    "name": f"{person.city}: enquiry from the website",
                    "type": "lead",
                    "contact_name": person.name,
                    "partner_name": person.parent_id.name or False,
                    "email_from": person.email,
                    "phone": person.phone,
                    "city": person.city,
                    "zip": person.zip,
                    "expected_revenue": rng.choice([2000, 5000, 12000, 60000]),
                    # unassigned: the routing rules decide
                    "user_id": False,
                    "team_id": False,
                }
                for person in yorkshire[:16]
            ]
        )
