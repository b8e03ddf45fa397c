# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from lxml import etree

from odoo.tests import Form, tagged

from .common import CampaignCase


@tagged("post_install", "-at_install")
class TestCampaignCurrency(CampaignCase):
    """A campaign's currency is its own: it never writes through to the
    company (sale's related field company_id.currency_id did)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.company_currency = cls.company.currency_id
        cls.other_currency = (
            cls.env.ref("base.EUR")
            if cls.company_currency != cls.env.ref("base.EUR")
            else cls.env.ref("base.USD")
        )
        cls.other_currency.active = True

    def test_other_currency_leaves_company_untouched(self):
        campaign = self.env["utm.campaign"].create(
            {
                "title": "Euro campaign",
                "currency_id": self.other_currency.id,
                "budget": 1000,
            }
        )
        self.company.invalidate_recordset()
        self.assertEqual(campaign.currency_id, self.other_currency)
        self.assertEqual(self.company.currency_id, self.company_currency)
        # an empty currency (what a form without the field sends) keeps the
        # campaign's, and still leaves the company alone
        campaign.write({"currency_id": False})
        campaign.with_user(self.manager).write(
            {"currency_id": self.company_currency.id}
        )
        campaign.write({"currency_id": self.other_currency.id})
        self.company.invalidate_recordset()
        self.assertEqual(campaign.currency_id, self.other_currency)
        self.assertEqual(self.company.currency_id, self.company_currency)

    def test_default_is_company_currency(self):
        plain = self.env["utm.campaign"].create({"title": "Plain"})
        self.assertEqual(plain.currency_id, self.company_currency)
        blank = self.env["utm.campaign"].create(
            {"title": "Blank currency", "currency_id": False}
        )
        self.assertEqual(blank.currency_id, self.company_currency)
        other_company = self.env["res.company"].create(
            {"name": "MRM Euro Co", "currency_id": self.other_currency.id}
        )
        theirs = self.env["utm.campaign"].create(
            {"title": "Theirs", "company_id": other_company.id}
        )
        self.assertEqual(theirs.currency_id, self.other_currency)
        self.assertEqual(other_company.currency_id, self.other_currency)

    def test_form_save_keeps_company_currency(self):
        """Saved from the campaign form as its owner, as the Campaigns menu
        does (the form's onchange, then create)."""
        form = Form(
            self.env["utm.campaign"].with_user(self.manager),
            view="marketing_resource_mgmt.utm_campaign_view_form_controller",
        )
        form.title = "Saved from the form"
        form.template_id = self.template
        form.date_start = date(2026, 4, 1)
        campaign = form.save()
        self.company.invalidate_recordset()
        self.assertEqual(campaign.currency_id, self.company_currency)
        self.assertEqual(self.company.currency_id, self.company_currency)


@tagged("post_install", "-at_install")
class TestCampaignForm(CampaignCase):
    def test_template_fills_the_form(self):
        """Choosing a template fills in its channels and targets on the form
        (onchange), from the same values create() copies."""
        form = Form(self.env["utm.campaign"].with_user(self.manager))
        form.title = "Template on change"
        self.assertEqual(form.target_members, 0)
        self.assertFalse(form.use_call)
        form.template_id = self.template
        expected = self.template._prepare_campaign_vals()
        for fname in ("target_members", "target_leads", "target_won"):
            self.assertEqual(form[fname], expected[fname], fname)
        self.assertEqual(form.target_members, 500)
        self.assertTrue(form.use_call)
        self.assertTrue(form.use_mail)
        self.assertEqual(form.assignment_mode, "even")
        # the user may still change a default before saving
        form.target_leads = 55
        campaign = form.save()
        self.assertEqual(campaign.target_leads, 55)
        self.assertEqual(campaign.target_members, 500)
        self.assertTrue(campaign.use_call)

    def test_one_form_with_odoo_smart_buttons(self):
        """The Campaigns menu opens Odoo's own campaign form (extended), so
        the record looks the same from every app and keeps Odoo's smart
        buttons next to ours."""
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "marketing_resource_mgmt.action_utm_campaign_controller"
        )
        form_view_id = dict((mode, vid) for vid, mode in action["views"])["form"]
        self.assertEqual(form_view_id, self.env.ref("utm.utm_campaign_view_form").id)
        ours = self.env["utm.campaign"].get_views([(form_view_id, "form")])
        default = self.env["utm.campaign"].get_views([(False, "form")])
        arch = ours["views"]["form"]["arch"]
        self.assertEqual(arch, default["views"]["form"]["arch"])
        root = etree.fromstring(arch)
        buttons = set(root.xpath("//div[@name='button_box']//button/@name"))
        mailings = str(
            self.env.ref("mass_mailing.action_view_mass_mailings_from_campaign").id
        )
        for name in (
            "action_redirect_to_leads_opportunities",  # crm: Leads
            "action_redirect_to_quotations",  # sale: Quotations
            "action_redirect_to_invoiced",  # sale: Revenue
            mailings,  # mass_mailing: Mailings
            "action_view_members",
            "action_view_project_tasks",
        ):
            self.assertIn(name, buttons)
        for name in ("action_start", "action_next_phase", "action_close"):
            self.assertTrue(root.xpath(f"//header/button[@name='{name}']"), name)
        close = root.xpath("//header/button[@name='action_close']")[0]
        self.assertTrue(close.get("confirm"))

    def test_project_stages_are_the_phases(self):
        campaign = self.campaign.with_user(self.owner)
        campaign.action_start()
        campaign = campaign.sudo()
        project = campaign.project_id
        self.assertEqual(
            project.type_ids.sorted("sequence").mapped("name"),
            campaign.phase_ids.mapped("name"),
        )
        self.assertEqual(campaign.phase_ids.stage_id, project.type_ids)
        self.assertFalse(project.type_ids.user_id, "project stages, not personal")
        tasks = project.task_ids
        self.assertTrue(tasks)
        for task in tasks:
            self.assertEqual(task.stage_id, task.campaign_phase_id.stage_id)
        # grouped by stage, the tasks group by phase (none in "None")
        groups = self.env["project.task"]._read_group(
            [("project_id", "=", project.id)], ["stage_id"], ["__count"]
        )
        self.assertEqual(
            {stage.name: count for stage, count in groups},
            {
                phase.name: len(phase.task_ids)
                for phase in campaign.phase_ids
                if phase.task_ids
            },
        )
        # a task moved to another phase's column moves to that phase
        outline, team = campaign.phase_ids[:2]
        task = outline.task_ids[0]
        task.with_user(self.owner).write({"stage_id": team.stage_id.id})
        self.assertEqual(task.campaign_phase_id, team)
        self.assertEqual(task.campaign_id, campaign)
        # a task added in the project lands in the first phase
        extra = self.env["project.task"].create(
            {"name": "Extra task", "project_id": project.id}
        )
        self.assertEqual(extra.stage_id, outline.stage_id)
        self.assertEqual(extra.campaign_phase_id, outline)

    def test_generation_offered_from_its_phase(self):
        campaign = self.campaign
        self.assertFalse(campaign.can_generate, "draft")
        campaign.with_user(self.owner).action_start()
        self.assertEqual(campaign.phase_id.name, "Outline")
        self.assertFalse(campaign.can_generate, "before the selection phase")
        phases = campaign.phase_ids
        while not campaign.phase_id.is_generation:
            campaign.phase_id._close(override_reason="test")
        self.assertEqual(campaign.phase_id.name, "Selection and generation")
        self.assertTrue(campaign.can_generate)
        campaign.phase_id._close(override_reason="test")
        self.assertTrue(campaign.can_generate, "later phases may regenerate")
        self.assertEqual(len(phases), 6)
        campaign.with_user(self.owner).action_close()
        self.assertFalse(campaign.can_generate)
        # a template without a generation phase: offered while running
        bare = self.env["marketing.campaign.template"].create(
            {
                "name": "No generation phase",
                "phase_ids": [(0, 0, {"name": "Only phase"})],
            }
        )
        other = self.env["utm.campaign"].create(
            {"title": "Bare", "template_id": bare.id, "user_id": self.owner.id}
        )
        other.with_user(self.owner).action_start()
        self.assertTrue(other.can_generate)

    def test_migrate_campaigns_started_without_stages(self):
        """A campaign started before phases were stages (tasks in "None")
        gets a stage per phase, its tasks in them; running it twice changes
        nothing."""
        campaign = self.campaign.with_user(self.owner)
        campaign.action_start()
        campaign = campaign.sudo()
        project = campaign.project_id
        # as such a campaign was: phases without stages, tasks without stage
        old_stages = campaign.phase_ids.stage_id
        campaign.phase_ids.stage_id = False
        project.task_ids.write({"stage_id": False})
        project.type_ids = [(5, 0, 0)]
        old_stages.unlink()
        phase_of_task = {task: task.campaign_phase_id for task in project.task_ids}
        self.assertTrue(all(phase_of_task.values()))
        self.env["utm.campaign"]._migrate_phase_stages()
        self.assertEqual(
            project.type_ids.sorted("sequence").mapped("name"),
            campaign.phase_ids.mapped("name"),
        )
        for task, phase in phase_of_task.items():
            self.assertEqual(task.campaign_phase_id, phase)
            self.assertEqual(task.stage_id, phase.stage_id)
        stages = project.type_ids
        self.env["utm.campaign"]._migrate_phase_stages()
        self.assertEqual(project.type_ids, stages)
