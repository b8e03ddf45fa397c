# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Membership criteria and follow-on campaigns (issue 14, items 1 and 2)."""

import xmlrpc.client
from datetime import datetime, timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from ..tools.membership import NON_RESPONDER_STATES
from .common import CampaignCase

# the members' dates are days before now (PostgreSQL's now() in the
# criteria: the transaction's start, minutes from this)
NOW = datetime.utcnow()


def ago(days):
    return NOW - timedelta(days=days)


class MembershipWorld(CampaignCase):
    """Hand-made campaigns and members with known states, dates and orders."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Member = cls.env["marketing.campaign.member"]
        cls.Partner = cls.env["res.partner"]
        cls.tag_promo = cls.env["utm.tag"].create({"name": "Promo H14"})
        cls.campaign.tag_ids = [Command.link(cls.tag_promo.id)]
        cls.camp_b = cls.env["utm.campaign"].create(
            {
                "title": "Summer promo",
                "user_id": cls.owner.id,
                "tag_ids": [Command.link(cls.tag_promo.id)],
            }
        )
        cls.camp_c = cls.env["utm.campaign"].create(
            {"title": "Untagged", "user_id": cls.owner.id}
        )
        cls.acme = cls.Partner.create({"name": "Acme H14", "is_company": True})
        names = "opener clicker answerer sentonly smsopener untagged oldanswerer"
        cls.p = {}
        for i, name in enumerate(names.split()):
            cls.p[name] = cls.Partner.create(
                {
                    "name": f"H14 {name}",
                    "email": f"h14{name}@example.com",
                    "phone": f"0113 496 01{i:02d}",
                    "mobile": f"07700 9001{i:02d}",
                    "street": "1 Follow Road",
                    "city": "Leeds",
                    "parent_id": cls.acme.id if name == "answerer" else False,
                }
            )

        def member(campaign, name, channel, state, **dates):
            return cls.Member.create(
                {
                    "campaign_id": campaign.id,
                    "partner_id": cls.p[name].id,
                    "channel": channel,
                    "state": state,
                    "date_targeted": ago(90),
                    **dates,
                }
            )

        A, B, C = cls.campaign, cls.camp_b, cls.camp_c
        cls.m_opener = member(
            A, "opener", "email", "opened", date_sent=ago(6), date_opened=ago(5)
        )
        cls.m_clicker = member(
            A,
            "clicker",
            "email",
            "clicked",
            date_sent=ago(41),
            date_opened=ago(41),
            date_clicked=ago(40),
        )
        cls.m_answerer = member(
            A, "answerer", "call", "responded", date_responded=ago(20)
        )
        cls.m_sent = member(A, "sentonly", "email", "sent", date_sent=ago(3))
        cls.m_old = member(
            A, "oldanswerer", "email", "responded", date_responded=ago(60)
        )
        member(B, "smsopener", "sms", "opened", date_sent=ago(2), date_opened=ago(2))
        member(C, "untagged", "email", "opened", date_sent=ago(2), date_opened=ago(2))
        # orders: the answerer's company orders 10 days after the answer (a
        # commercial partner's order counts for its contacts); the old
        # answerer ordered before answering only
        cls.product = cls.env["product.product"].create(
            {"name": "H14 Widget", "list_price": 100.0}
        )
        cls.order_acme = cls._order(cls.acme, ago(10))
        cls.order_old = cls._order(cls.p["oldanswerer"], ago(70))
        cls.all_partners = cls.Partner.browse([p.id for p in cls.p.values()])

    @classmethod
    def _order(cls, partner, date):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": cls.product.id, "product_uom_qty": 1})
                ],
            }
        )
        order.action_confirm()
        order.date_order = date
        return order


@tagged("post_install", "-at_install")
class TestMembershipCriteria(MembershipWorld):
    def segment(self, **line):
        segment = self.env["marketing.segment"].create(
            {
                "name": "H14 segment",
                "domain": repr([("id", "in", self.all_partners.ids)]),
                "criterion_ids": [Command.create(line)],
            }
        )
        return segment

    def matched(self, **line):
        segment = self.segment(**line)
        ids = set(segment._get_partner_ids())
        # the live count says the same
        self.assertEqual(segment._get_count(), len(ids))
        return {name for name, p in self.p.items() if p.id in ids}

    def states(self, *codes):
        return [
            Command.set(self.env["marketing.member.state"]._get_by_codes(codes).ids)
        ]

    def test_member_of_campaign_with_state(self):
        A = self.campaign
        self.assertEqual(
            self.matched(operator="member_of", member_campaign_id=A.id),
            {"opener", "clicker", "answerer", "sentonly", "oldanswerer"},
        )
        self.assertEqual(
            self.matched(
                operator="member_of",
                member_campaign_id=A.id,
                member_state_ids=self.states("opened", "clicked"),
            ),
            {"opener", "clicker"},
        )

    def test_member_of_channel(self):
        self.assertEqual(
            self.matched(
                operator="member_of",
                member_campaign_id=self.campaign.id,
                member_channel="call",
            ),
            {"answerer"},
        )

    def test_member_within_days(self):
        # the state's own date counts: opened 5 days ago, clicked 40 days ago
        found = self.matched(
            operator="member_of",
            member_campaign_id=self.campaign.id,
            member_state_ids=self.states("opened", "clicked"),
            member_days=30,
        )
        self.assertEqual(found, {"opener"})
        found = self.matched(
            operator="member_of", member_campaign_id=self.campaign.id, member_days=30
        )
        self.assertEqual(found, {"opener", "answerer", "sentonly"})

    def test_member_of_tagged_campaigns(self):
        found = self.matched(
            operator="member_of",
            member_campaign_tag_ids=[Command.set(self.tag_promo.ids)],
            member_state_ids=self.states("opened"),
        )
        self.assertEqual(found, {"opener", "smsopener"})
        # a tag added to a campaign later counts at once (the segment is live)
        self.camp_c.tag_ids = [Command.link(self.tag_promo.id)]
        found = self.matched(
            operator="member_of",
            member_campaign_tag_ids=[Command.set(self.tag_promo.ids)],
            member_state_ids=self.states("opened"),
        )
        self.assertEqual(found, {"opener", "smsopener", "untagged"})

    def test_answered_without_order(self):
        A = self.campaign
        # since the answer: the answerer's company ordered, the old answerer
        # only before answering
        self.assertEqual(
            self.matched(operator="answered_no_order", member_campaign_id=A.id),
            {"oldanswerer"},
        )
        # within 5 days of the answer: the company's order came 10 days after
        self.assertEqual(
            self.matched(
                operator="answered_no_order", member_campaign_id=A.id, member_days=5
            ),
            {"oldanswerer", "answerer"},
        )
        # 30 days: the answerer answered only 20 days ago (not yet due)
        self.assertEqual(
            self.matched(
                operator="answered_no_order", member_campaign_id=A.id, member_days=30
            ),
            {"oldanswerer"},
        )
        # a cancelled order is no order
        self.order_acme._action_cancel()
        self.assertEqual(
            self.matched(operator="answered_no_order", member_campaign_id=A.id),
            {"oldanswerer", "answerer"},
        )

    def test_archived_member_and_other_company(self):
        self.m_opener.active = False
        found = self.matched(
            operator="member_of",
            member_campaign_id=self.campaign.id,
            member_state_ids=self.states("opened", "clicked"),
        )
        self.assertEqual(found, {"clicker"})
        other = self.env["res.company"].create({"name": "H14 Other Co"})
        segment = self.segment(
            operator="member_of", member_campaign_id=self.campaign.id
        )
        segment.company_id = other
        self.assertEqual(segment._get_partner_ids(), [])

    def test_bad_input(self):
        """A line without campaign and tag, or with negative days, is refused
        with a message, and nothing is saved (the request's transaction is
        rolled back: a savepoint here)."""
        Criterion = self.env["marketing.segment.criterion"]
        segment = self.env["marketing.segment"].create({"name": "H14 bad"})

        def refused(message, function):
            with self.assertRaisesRegex(ValidationError, message):
                with self.env.cr.savepoint():
                    function()
            self.env.invalidate_all()

        refused(
            "needs a campaign",
            lambda: Criterion.create(
                {"segment_id": segment.id, "operator": "member_of"}
            ),
        )
        refused(
            "cannot be negative",
            lambda: Criterion.create(
                {
                    "segment_id": segment.id,
                    "operator": "answered_no_order",
                    "member_campaign_id": self.campaign.id,
                    "member_days": -3,
                }
            ),
        )
        self.assertFalse(segment.criterion_ids)
        line = Criterion.create(
            {
                "segment_id": segment.id,
                "operator": "member_of",
                "member_campaign_id": self.campaign.id,
            }
        )
        refused("needs a campaign", lambda: line.write({"member_campaign_id": False}))
        self.assertEqual(segment.criterion_ids, line)
        self.assertEqual(line.member_campaign_id, self.campaign)

    def test_form_and_label(self):
        """The segment form (onchange) counts a membership line live, and the
        line reads as words."""
        with Form(self.env["marketing.segment"]) as form:
            form.name = "H14 form"
            form.domain = repr([("id", "in", self.all_partners.ids)])
            with form.criterion_ids.new() as line:
                line.operator = "member_of"
                line.member_campaign_id = self.campaign
                line.member_channel = "email"
                line.member_days = 30
            self.assertEqual(form.partner_count, 2)  # opener, sentonly
        segment = form.save()
        label = segment.criterion_ids.display_name
        self.assertIn(self.campaign.title, label)
        self.assertIn("30", label)

    def test_restricted_user(self):
        """A marketing user builds and counts the segment."""
        user = new_test_user(
            self.env,
            login="h14_marketer",
            groups="marketing_resource_mgmt.group_marketing_user",
        )
        segment = (
            self.env["marketing.segment"]
            .with_user(user)
            .create(
                {
                    "name": "H14 user",
                    "domain": repr([("id", "in", self.all_partners.ids)]),
                    "criterion_ids": [
                        Command.create(
                            {
                                "operator": "answered_no_order",
                                "member_campaign_id": self.campaign.id,
                            }
                        )
                    ],
                }
            )
        )
        self.assertEqual(segment.partner_count, 1)


@tagged("post_install", "-at_install")
class TestFollowOn(MembershipWorld):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        A = cls.campaign
        extra = {}
        for name in (
            "targeted declined unsubscribed bounced converted replied "
            "blacklisted caller interested"
        ).split():
            extra[name] = cls.Partner.create(
                {
                    "name": f"H14 {name}",
                    "email": f"h14x{name}@example.com",
                    "phone": "0113 496 0999",
                    "street": "2 Follow Road",
                    "city": "Leeds",
                }
            )
        cls.p.update(extra)

        def member(name, state, channel="email", **vals):
            return cls.Member.create(
                {
                    "campaign_id": A.id,
                    "partner_id": cls.p[name].id,
                    "channel": channel,
                    "state": state,
                    **vals,
                }
            )

        member("targeted", "targeted")
        member("declined", "declined", date_responded=ago(3))
        member("unsubscribed", "unsubscribed", date_opened=ago(4))
        member("bounced", "bounced")
        member("converted", "converted", date_responded=ago(3))
        member("replied", "replied", date_opened=ago(9), date_replied=ago(8))
        member("blacklisted", "opened", date_opened=ago(2))
        member("caller", "contacted", channel="call", date_contacted=ago(2))
        member("interested", "responded", answer="interested", date_responded=ago(1))
        cls.env["mail.blacklist"]._add("h14xblacklisted@example.com")
        cls.pricelist = cls.env["product.pricelist"].create(
            {
                "name": "H14 offer",
                "currency_id": cls.env.company.currency_id.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": cls.product.id,
                            "compute_price": "fixed",
                            "fixed_price": 79.0,
                        }
                    )
                ],
            }
        )

    def wizard(self, user=None, **vals):
        Wizard = self.env["utm.campaign.follow.on"]
        if user:
            Wizard = Wizard.with_user(user)
        return Wizard.create({"campaign_id": self.campaign.id, **vals})

    def follow_on(self, user=None, **vals):
        action = self.wizard(user, **vals).action_create()
        return self.env["utm.campaign"].browse(action["res_id"])

    def names(self, campaign):
        members = self.Member.search([("campaign_id", "=", campaign.id)])
        return {name for name, p in self.p.items() if p in members.partner_id}

    def test_non_responders(self):
        """Exactly the parent's members reached without an answer (nor an
        unsubscription), less those consent now excludes (blacklisted)."""
        follow_on = self.follow_on(user=self.owner, subset="non_responders")
        expected = {
            name
            for name, p in self.p.items()
            if self.Member.search(
                [
                    ("campaign_id", "=", self.campaign.id),
                    ("partner_id", "=", p.id),
                    ("state", "in", NON_RESPONDER_STATES),
                ]
            )
        } - {"blacklisted"}
        self.assertEqual(
            expected, {"opener", "clicker", "sentonly", "caller"}, "the hand count"
        )
        self.assertEqual(self.names(follow_on), expected)
        members = follow_on.member_ids
        self.assertEqual(set(members.mapped("state")), {"targeted"})
        self.assertEqual(
            {(m.partner_id.id, m.channel) for m in members},
            {
                (self.p["opener"].id, "email"),
                (self.p["clicker"].id, "email"),
                (self.p["sentonly"].id, "email"),
                (self.p["caller"].id, "call"),
            },
        )
        self.assertTrue(all(len(m.access_token) == 48 for m in members))
        self.assertEqual(len(set(members.mapped("access_token"))), 4)
        # linked, pre-filled from the template, owned by the user, outputs built
        self.assertEqual(follow_on.parent_id, self.campaign)
        self.assertEqual(self.campaign.child_ids, follow_on)
        self.assertEqual(self.campaign.child_count, 1)
        self.assertEqual(follow_on.template_id, self.template)
        self.assertEqual(follow_on.user_id, self.owner)
        self.assertTrue(follow_on.use_email and follow_on.use_call)
        self.assertEqual(
            follow_on.team_ids.mapped("user_id"),
            self.campaign.team_ids.mapped("user_id"),
        )
        # the e-mail mailing goes to the follow-on's members (no mailing list)
        self.assertEqual(follow_on.mailing_id.campaign_id, follow_on)
        self.assertEqual(
            follow_on.mailing_id.mailing_model_real, "marketing.campaign.member"
        )
        self.assertFalse(follow_on.mailing_list_id)
        call = follow_on.member_ids.filtered(lambda m: m.channel == "call")
        self.assertTrue(call.user_id)
        self.assertTrue(call.activity_ids)
        # a note on both campaigns
        self.assertTrue(
            any(follow_on.title in m.body for m in self.campaign.message_ids)
        )
        self.assertTrue(
            any(
                "Follow-on of" in m.body and self.campaign.title in m.body
                for m in follow_on.message_ids
            )
        )
        action = self.campaign.action_view_follow_ons()
        self.assertEqual(self.env["utm.campaign"].search(action["domain"]), follow_on)

    def test_openers_without_click(self):
        follow_on = self.follow_on(subset="openers_no_click")
        # opened: opener (blacklisted excluded); the unsubscribed and replied
        # members answered; the clicker clicked
        self.assertEqual(self.names(follow_on), {"opener"})

    def test_interested_without_order(self):
        follow_on = self.follow_on(subset="interested_no_order")
        # answerer: its company ordered after the answer; oldanswerer ordered
        # before only; converted and declined are no open interest
        self.assertEqual(
            self.names(follow_on), {"oldanswerer", "replied", "interested"}
        )

    def test_custom_filter_and_channel(self):
        follow_on = self.follow_on(
            subset="custom",
            member_domain=repr([("state", "in", ["declined", "converted", "sent"])]),
            channel="call",
        )
        self.assertEqual(self.names(follow_on), {"declined", "converted", "sentonly"})
        self.assertEqual(set(follow_on.member_ids.mapped("channel")), {"call"})
        self.assertTrue(follow_on.use_call)
        with self.assertRaisesRegex(UserError, "does not parse"):
            self.wizard(
                subset="custom", member_domain="[('state', '=',"
            ).action_create()
        with self.assertRaisesRegex(UserError, "nothing to follow on"):
            self.wizard(
                subset="custom",
                member_domain=repr(
                    [("state", "=", "clicked"), ("channel", "=", "sms")]
                ),
            ).action_create()
        self.assertEqual(self.campaign.child_ids, follow_on, "nothing half-written")

    def test_member_count_preview(self):
        wizard = self.wizard(subset="non_responders")
        self.assertEqual(wizard.member_count, 4)
        wizard.subset = "openers_no_click"
        self.assertEqual(wizard.member_count, 1)

    def test_other_company_contacts_never_copied(self):
        other = self.env["res.company"].create({"name": "H14 Second Co"})
        foreign = self.Partner.create(
            {
                "name": "H14 foreign",
                "email": "h14foreign@example.com",
                "company_id": other.id,
            }
        )
        self.Member.create(
            {
                "campaign_id": self.campaign.id,
                "partner_id": foreign.id,
                "channel": "email",
                "state": "sent",
            }
        )
        self.campaign.company_id = self.env.company
        follow_on = self.follow_on(subset="non_responders")
        self.assertNotIn(foreign, follow_on.member_ids.partner_id)
        self.assertEqual(len(follow_on.member_ids), 4)
        self.assertFalse(
            follow_on.member_ids.partner_id.filtered(
                lambda p: p.company_id and p.company_id != follow_on.company_id
            )
        )

    def test_offer_prices(self):
        self.campaign.write(
            {
                "offer_product_ids": [Command.set(self.product.ids)],
                "offer_pricelist_id": self.pricelist.id,
            }
        )
        wizard = self.wizard()
        self.assertEqual(wizard.offer_product_ids, self.product)
        self.assertEqual(wizard.offer_pricelist_id, self.pricelist)
        rows = self.env["utm.campaign"]._get_offer_rows(
            self.product, self.pricelist, self.campaign.currency_id
        )
        self.assertEqual(rows[0]["price"], 79.0)
        self.assertEqual(rows[0]["list_price"], 100.0)
        summary = str(wizard.offer_summary)
        self.assertIn("H14 Widget", summary)
        self.assertIn("79.00", summary)
        has_stock = "qty_available" in self.env["product.product"]._fields
        self.assertEqual("On hand" in summary, has_stock)
        self.assertEqual(rows[0]["qty_available"] is not None, has_stock)
        # the offer can be changed for the follow-on
        other = self.env["product.product"].create(
            {"name": "H14 Gadget", "list_price": 40.0}
        )
        wizard.write(
            {"offer_product_ids": [Command.set(other.ids)], "offer_pricelist_id": False}
        )
        follow_on = self.env["utm.campaign"].browse(wizard.action_create()["res_id"])
        self.assertEqual(follow_on.offer_product_ids, other)
        self.assertFalse(follow_on.offer_pricelist_id)
        self.assertIn("40.00", str(follow_on.offer_summary))

    def test_hierarchy_cycle(self):
        follow_on = self.follow_on()
        with self.assertRaises(ValidationError):
            self.campaign.parent_id = follow_on
        self.assertEqual(
            self.campaign._get_family_ids()[self.campaign.id],
            [self.campaign.id, follow_on.id],
        )

    def test_outsider_cannot_copy_members(self):
        """A marketing user outside the parent's team reads none of its
        members: the wizard finds nothing to copy."""
        with self.assertRaises(AccessError):
            self.wizard(user=self.outsider).action_create()


@tagged("post_install", "-at_install")
class TestFollowOnRpc(HttpCase):
    def test_wizard_over_xmlrpc(self):
        """A restricted marketing user (the parent's owner) creates a
        follow-on over XML-RPC; each public method returns a marshalable
        action."""
        groups = "marketing_resource_mgmt.group_marketing_user"
        owner = new_test_user(
            self.env, login="h14_rpc", password="h14_rpc_pw1", groups=groups
        )
        partners = self.env["res.partner"].create(
            [
                {"name": f"H14 RPC {i}", "email": f"h14rpc{i}@example.com"}
                for i in range(3)
            ]
        )
        campaign = self.env["utm.campaign"].create(
            {"title": "H14 RPC parent", "user_id": owner.id}
        )
        self.env["marketing.campaign.member"].create(
            [
                {
                    "campaign_id": campaign.id,
                    "partner_id": partner.id,
                    "channel": "email",
                    "state": state,
                    "date_responded": fields.Datetime.now(),
                }
                for partner, state in zip(
                    partners, ["sent", "opened", "responded"], strict=True
                )
            ]
        )
        db = self.env.cr.dbname
        uid = self.xmlrpc_common.authenticate(db, "h14_rpc", "h14_rpc_pw1", {})

        def call(model, method, *args):
            return self.xmlrpc_object.execute_kw(
                db, uid, "h14_rpc_pw1", model, method, list(args)
            )

        action = call("utm.campaign", "action_create_follow_on", [campaign.id])
        self.assertEqual(action["res_model"], "utm.campaign.follow.on")
        wizard_id = call(
            "utm.campaign.follow.on",
            "create",
            {"campaign_id": campaign.id, "subset": "non_responders"},
        )
        result = call("utm.campaign.follow.on", "action_create", [wizard_id])
        self.assertEqual(result["res_model"], "utm.campaign")
        follow_on = self.env["utm.campaign"].browse(result["res_id"])
        self.assertEqual(follow_on.parent_id, campaign)
        self.assertEqual(follow_on.member_ids.partner_id, partners[:2])
        listing = call("utm.campaign", "action_view_follow_ons", [campaign.id])
        self.assertEqual(listing["domain"], [["parent_id", "=", campaign.id]])
        with self.assertRaises(xmlrpc.client.Fault) as fault:
            call(
                "utm.campaign.follow.on",
                "action_create",
                [
                    call(
                        "utm.campaign.follow.on",
                        "create",
                        {"campaign_id": campaign.id, "subset": "openers_no_click"},
                    )
                ],
            )
        self.assertIn("nothing to follow on", fault.exception.faultString)


@tagged("post_install", "-at_install")
class TestFollowOnTour(HttpCase):
    def test_follow_on_tour(self):
        """A marketing user (the campaign's owner) creates a follow-on for the
        non-responders in the browser."""
        owner = new_test_user(
            self.env,
            login="h14_tour",
            groups="marketing_resource_mgmt.group_marketing_user",
        )
        campaign = self.env["utm.campaign"].create(
            {"title": "Tour parent", "user_id": owner.id}
        )
        partners = self.env["res.partner"].create(
            [
                {"name": f"H14 tour {i}", "email": f"h14tour{i}@example.com"}
                for i in range(3)
            ]
        )
        now = fields.Datetime.now()
        self.env["marketing.campaign.member"].create(
            [
                {
                    "campaign_id": campaign.id,
                    "partner_id": partners[0].id,
                    "state": "sent",
                    "date_sent": now,
                },
                {
                    "campaign_id": campaign.id,
                    "partner_id": partners[1].id,
                    "state": "opened",
                    "date_opened": now,
                },
                {
                    "campaign_id": campaign.id,
                    "partner_id": partners[2].id,
                    "state": "responded",
                    "date_responded": now,
                },
            ]
        )
        self.start_tour(
            f"/odoo/action-marketing_resource_mgmt.action_utm_campaign_controller/{campaign.id}",
            "mrm_campaign_follow_on_tour",
            login="h14_tour",
        )
        follow_on = campaign.child_ids
        self.assertEqual(follow_on.title, "Tour reminder")
        self.assertEqual(follow_on.member_ids.partner_id, partners[:2])


@tagged("post_install", "-at_install")
class TestFollowOnMessyData(CampaignCase):
    """The set-based copy over the shared uk-500 list (messy phones,
    addresses) selects what the ORM selects member by member."""

    def test_non_responders_of_uk_500(self):
        from .test_campaign_answers import read_uk_500

        rows = read_uk_500()
        partners = self.env["res.partner"].create(
            [
                {
                    "name": f"{row['first_name']} {row['last_name']}",
                    "email": row["email"],
                    "phone": row["phone1"],
                    "mobile": row["phone2"],
                    "street": row["address"],
                    "city": row["city"],
                    "zip": row["postal"],
                    # every 37th asked not to be contacted
                    "mrm_do_not_contact": i % 37 == 0,
                }
                for i, row in enumerate(rows)
            ]
        )
        for partner in partners[5::41]:
            self.env["mail.blacklist"]._add(partner.email)
        states = ["sent", "opened", "clicked", "responded", "unsubscribed", "targeted"]
        now = fields.Datetime.now()
        members = self.env["marketing.campaign.member"].create(
            [
                {
                    "campaign_id": self.campaign.id,
                    "partner_id": partner.id,
                    "channel": "email" if i % 2 else "call",
                    "state": states[i % len(states)],
                    "date_opened": now if states[i % len(states)] != "sent" else False,
                }
                for i, partner in enumerate(partners)
            ]
        )
        blacklisted = set(self.env["mail.blacklist"].search([]).mapped("email"))

        def reachable(member):
            partner = member.partner_id
            if partner.mrm_do_not_contact or partner.mrm_opt_out:
                return False
            if member.channel == "email":
                return bool(partner.email_normalized) and (
                    partner.email_normalized not in blacklisted
                )
            return bool(partner.phone or partner.mobile)

        expected = {
            (m.partner_id.id, m.channel)
            for m in members
            if m.state in NON_RESPONDER_STATES and reachable(m)
        }
        self.assertGreater(len(expected), 200)
        action = (
            self.env["utm.campaign.follow.on"]
            .create({"campaign_id": self.campaign.id, "subset": "non_responders"})
            .action_create()
        )
        follow_on = self.env["utm.campaign"].browse(action["res_id"])
        self.assertEqual(
            {(m.partner_id.id, m.channel) for m in follow_on.member_ids}, expected
        )
