# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import html

from odoo.tests import new_test_user, tagged

from .common import CampaignReportingCommon


@tagged("post_install", "-at_install")
class TestKpiDigest(CampaignReportingCommon):
    """The scheduled digest goes through Odoo's mail queue with the KPI table."""

    def test_digest_content_and_recipients(self):
        subscribed = new_test_user(
            self.env,
            login="cr_subscribed",
            email="boss@example.com",
            groups="marketing_resource_mgmt.group_marketing_manager",
            company_id=self.company.id,
        )
        subscribed.campaign_kpi_digest = True
        unsubscribed = new_test_user(
            self.env,
            login="cr_unsubscribed",
            email="other@example.com",
            groups="marketing_resource_mgmt.group_marketing_manager",
            company_id=self.company.id,
        )
        (self.campaign_b | self.campaign_c).state = "draft"
        mails_before = self.env["mail.mail"].search([])
        sent = self.env["utm.campaign"]._cron_send_kpi_digest()
        mails = self.env["mail.mail"].search([]) - mails_before
        self.assertEqual(sent, 1)
        mail = mails.filtered(
            lambda m: m.model == "utm.campaign" and m.res_id == self.campaign_a.id
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("Spring Push", mail.subject)
        self.assertIn("off track", mail.subject)
        self.assertEqual(
            mail.recipient_ids, self.owner.partner_id | subscribed.partner_id
        )
        self.assertNotIn(unsubscribed.partner_id, mail.recipient_ids)
        tree = html.fromstring(mail.body_html)
        rows = {
            row.get("data-kpi"): [
                cell.text_content().strip() for cell in row.findall("td")
            ]
            for row in tree.xpath("//tr[@data-kpi]")
        }
        self.assertEqual(rows["leads"][1:4], ["8", "16", "50.0 %"])
        self.assertEqual(rows["won"][1:3], ["1", "2"])
        self.assertIn("1,800.00", rows["revenue"][1])
        self.assertIn("1,350.00", rows["cost_total"][1])
        self.assertEqual(rows["leads"][4], "Off track")
        self.assertEqual(rows["cost_total"][4], "On track")

    def test_digest_withholds_wrong_money(self):
        lines = {line["name"]: line for line in self.campaign_b._get_kpi_digest_lines()}
        self.assertIsNone(lines["cost_total"]["actual"])
        self.assertAlmostEqual(lines["revenue"]["actual"], 700.0)

    def test_cron_record(self):
        cron = self.env.ref("campaign_reporting.ir_cron_campaign_kpi_digest")
        self.assertEqual(cron.code, "model._cron_send_kpi_digest()")
        template = self.env.ref("campaign_reporting.mail_template_campaign_kpi_digest")
        self.assertEqual(template.model, "utm.campaign")
