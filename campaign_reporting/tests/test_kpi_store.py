# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import Command
from odoo.tests import tagged
from odoo.tools import SQL

from .common import CampaignReportingCommon

VIEWS = (
    ("campaign_kpi", "campaign_kpi_stored"),
    ("campaign_kpi_channel", "campaign_kpi_channel_stored"),
)


@tagged("post_install", "-at_install")
class TestStoredFunnel(CampaignReportingCommon):
    """The Campaign Monitor's stored funnel equals the live views after every
    kind of change to its sources, made through the ORM or plain SQL."""

    def setUp(self):
        super().setUp()
        self.refresh()  # the fixtures' own changes
        self.campaign_x = self._new_campaign("Other push", "CR-X")

    def refresh(self):
        """Recompute the marked campaigns; return their number."""
        self.env.flush_all()
        return self.env["campaign.kpi"]._refresh_stored_funnel()

    def assert_stored_equals_live(self, marked=None):
        """Refresh, then compare every row and column of the stored views
        with the live views, both ways; ``marked``: the campaigns the change
        must have marked."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(SQL("SELECT campaign_id FROM campaign_kpi_dirty"))
        dirty = {row[0] for row in cr.fetchall()}
        if marked is not None:
            self.assertTrue(
                set(marked.ids) <= dirty, f"{marked} not marked (marked: {dirty})"
            )
        self.refresh()
        for live, stored in VIEWS:
            for left, right in ((live, stored), (stored, live)):
                cr.execute(
                    SQL(
                        "SELECT * FROM %s EXCEPT ALL SELECT * FROM %s",
                        SQL.identifier(left),
                        SQL.identifier(right),
                    )
                )
                self.assertEqual(cr.fetchall(), [], f"{left} minus {right}")
        cr.execute(SQL("SELECT count(*) FROM campaign_kpi_dirty"))
        self.assertEqual(cr.fetchone()[0], 0)

    def live(self, campaign, field):
        self.env.flush_all()
        self.env.invalidate_all()
        return self.env["campaign.kpi"].search([("campaign_id", "=", campaign.id)])[
            field
        ]

    # ---- members

    def test_members_orm(self):
        Member = self.env["marketing.campaign.member"]
        partner = self.env["res.partner"].create({"name": "New member"})
        targeted = self.live(self.campaign_a, "members_targeted")
        member = Member.create(
            {
                "campaign_id": self.campaign_a.id,
                "partner_id": partner.id,
                "channel": "email",
                "state": "targeted",
            }
        )
        self.assert_stored_equals_live(self.campaign_a)
        self.assertEqual(self.live(self.campaign_a, "members_targeted"), targeted + 1)
        member.state = "responded"
        self.assert_stored_equals_live(self.campaign_a)
        member.channel = "sms"
        self.assert_stored_equals_live(self.campaign_a)
        # a member of campaign X producing a lead of campaign A: A's channels
        lead = self.env["crm.lead"].create(
            {"name": "via X", "campaign_id": self.campaign_a.id}
        )
        self.refresh()
        member.write({"campaign_id": self.campaign_x.id, "lead_id": lead.id})
        self.assert_stored_equals_live(self.campaign_a | self.campaign_x)
        self.assertEqual(self.live(self.campaign_a, "members_targeted"), targeted)
        member.lead_id = False
        self.assert_stored_equals_live(self.campaign_a | self.campaign_x)
        # a member who has not answered can be deleted
        other = Member.create(
            {"campaign_id": self.campaign_x.id, "partner_id": partner.id}
        )
        self.refresh()
        other.unlink()
        self.assert_stored_equals_live(self.campaign_x)

    def test_members_plain_sql(self):
        """Bulk SQL writers (audience generation, imports) are seen too."""
        cr = self.env.cr
        partners = self.env["res.partner"].create(
            [{"name": f"Bulk {i}"} for i in range(5)]
        )
        cr.execute(
            SQL(
                """
                INSERT INTO marketing_campaign_member
                       (campaign_id, partner_id, channel, state,
                        create_date, write_date)
                SELECT %s, p.id, 'mail', 'targeted', now(), now()
                  FROM res_partner p WHERE p.id = ANY(%s)
                """,
                self.campaign_x.id,
                partners.ids,
            )
        )
        self.assert_stored_equals_live(self.campaign_x)
        self.assertEqual(self.live(self.campaign_x, "members_targeted"), 5)
        cr.execute(
            SQL(
                "UPDATE marketing_campaign_member SET state = 'contacted' "
                "WHERE campaign_id = %s",
                self.campaign_x.id,
            )
        )
        self.assert_stored_equals_live(self.campaign_x)
        self.assertEqual(self.live(self.campaign_x, "members_contacted"), 5)
        cr.execute(
            SQL(
                "DELETE FROM marketing_campaign_member WHERE campaign_id = %s",
                self.campaign_x.id,
            )
        )
        self.assert_stored_equals_live(self.campaign_x)
        self.assertEqual(self.live(self.campaign_x, "members_targeted"), 0)

    # ---- leads

    def test_leads(self):
        Lead = self.env["crm.lead"]
        leads = self.live(self.campaign_a, "leads")
        lead = Lead.create(
            {"name": "Fresh", "type": "opportunity", "campaign_id": self.campaign_a.id}
        )
        self.assert_stored_equals_live(self.campaign_a)
        self.assertEqual(self.live(self.campaign_a, "leads"), leads + 1)
        won = self.live(self.campaign_a, "won")
        lead.action_set_won()
        self.assert_stored_equals_live(self.campaign_a)
        self.assertEqual(self.live(self.campaign_a, "won"), won + 1)
        other = Lead.create({"name": "To lose", "campaign_id": self.campaign_a.id})
        self.refresh()
        lost = self.live(self.campaign_a, "lost")
        other.action_set_lost()
        self.assert_stored_equals_live(self.campaign_a)
        self.assertEqual(self.live(self.campaign_a, "lost"), lost + 1)
        other.write({"active": True, "type": "opportunity", "probability": 40})
        self.assert_stored_equals_live(self.campaign_a)
        # moved to another campaign: both change
        other.campaign_id = self.campaign_x
        self.assert_stored_equals_live(self.campaign_a | self.campaign_x)
        self.assertEqual(self.live(self.campaign_x, "leads"), 1)
        other.unlink()
        self.assert_stored_equals_live(self.campaign_x)
        self.assertEqual(self.live(self.campaign_x, "leads"), 0)

    def test_won_stage_changes(self):
        """A stage that stops being a won stage changes the won counts of the
        campaigns with leads in it."""
        won = self.live(self.campaign_a, "won")
        self.assertGreater(won, 0)
        self.won_stage.is_won = False
        self.assert_stored_equals_live(self.campaign_a)
        self.assertLess(self.live(self.campaign_a, "won"), won)

    def test_unrelated_writes_mark_nothing(self):
        """Assigning leads (routing) or renaming members changes no figure
        and recomputes nothing."""
        leads = self.env["crm.lead"].search([("campaign_id", "=", self.campaign_a.id)])
        leads.write({"user_id": self.salesperson.id})
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "UPDATE marketing_campaign_member SET write_date = now() "
                "WHERE campaign_id = %s",
                self.campaign_a.id,
            )
        )
        cr = self.env.cr
        cr.execute(SQL("SELECT campaign_id FROM campaign_kpi_dirty"))
        self.assertEqual(cr.fetchall(), [])
        self.assertEqual(self.refresh(), 0)

    # ---- orders

    def test_orders(self):
        quotations = self.live(self.campaign_x, "quotations")
        order = self.env["sale.order"].create(
            {
                "partner_id": self.partner_a.id,
                "campaign_id": self.campaign_x.id,
                "order_line": [
                    Command.create({"product_id": self.product_a.id, "price_unit": 9})
                ],
            }
        )
        self.assert_stored_equals_live(self.campaign_x)
        self.assertEqual(self.live(self.campaign_x, "quotations"), quotations + 1)
        order.action_confirm()
        self.assert_stored_equals_live(self.campaign_x)
        self.assertEqual(self.live(self.campaign_x, "orders"), 1)
        # an order answering a member takes the member's channel
        member = self.env["marketing.campaign.member"].create(
            {
                "campaign_id": self.campaign_x.id,
                "partner_id": self.partner_a.id,
                "channel": "sms",
            }
        )
        self.refresh()
        order.campaign_member_id = member
        self.assert_stored_equals_live(self.campaign_x)
        member.channel = "call"  # the order's channel moves with it
        self.assert_stored_equals_live(self.campaign_x)
        order.campaign_id = self.campaign_a
        self.assert_stored_equals_live(self.campaign_a | self.campaign_x)
        order._action_cancel()
        self.assert_stored_equals_live(self.campaign_a)
        order.unlink()
        self.assert_stored_equals_live(self.campaign_a)

    # ---- campaigns

    def test_campaign_deleted_and_monitor_reads_current_figures(self):
        Lead = self.env["crm.lead"]
        Lead.create({"name": "x1", "campaign_id": self.campaign_x.id})
        # the monitor recomputes before it reads: no refresh by hand here
        self.env.flush_all()
        data = self.env["campaign.monitor"].get_monitor_data({})
        self.assertGreaterEqual(data["refreshed"], 1)
        card = next(c for c in data["cards"] if c["id"] == self.campaign_x.id)
        self.assertEqual(card["figures"]["leads"], 1)
        self.assertEqual(card["figures"]["leads"], self.live(self.campaign_x, "leads"))
        data = self.env["campaign.monitor"].get_monitor_data({"channel": "none"})
        card = next(c for c in data["cards"] if c["id"] == self.campaign_x.id)
        self.assertEqual(card["figures"]["leads"], 1)
        Lead.search([("campaign_id", "=", self.campaign_x.id)]).unlink()
        self.campaign_x.unlink()
        self.assert_stored_equals_live()
        self.env.cr.execute(
            SQL(
                "SELECT count(*) FROM campaign_kpi_funnel WHERE campaign_id = %s",
                self.campaign_x.id,
            )
        )
        self.assertEqual(self.env.cr.fetchone()[0], 0)
