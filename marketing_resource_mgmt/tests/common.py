# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import TransactionCase, new_test_user


class CampaignCase(TransactionCase):
    """Users, a template and a campaign shared by the campaign tests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                tracking_disable=False,
                mail_create_nosubscribe=True,
                mail_notrack=False,
                no_reset_password=True,
            )
        )
        groups_user = ",".join(
            [
                "marketing_resource_mgmt.group_marketing_user",
                "project.group_project_user",
                "hr_timesheet.group_hr_timesheet_user",
            ]
        )
        cls.manager = new_test_user(
            cls.env,
            login="mrm_manager",
            name="Mona Manager",
            groups=groups_user + ",marketing_resource_mgmt.group_marketing_manager",
        )
        cls.owner = new_test_user(
            cls.env, login="mrm_owner", name="Olga Owner", groups=groups_user
        )
        cls.caller_a = new_test_user(
            cls.env, login="mrm_caller_a", name="Carl Caller", groups=groups_user
        )
        cls.caller_b = new_test_user(
            cls.env, login="mrm_caller_b", name="Cleo Caller", groups=groups_user
        )
        cls.analyst = new_test_user(
            cls.env, login="mrm_analyst", name="Anna Analyst", groups=groups_user
        )
        cls.outsider = new_test_user(
            cls.env, login="mrm_outsider", name="Otto Outsider", groups=groups_user
        )
        cls.template = cls.env.ref("marketing_resource_mgmt.template_six_step")
        cls.campaign = cls.env["utm.campaign"].create(
            {
                "title": "Spring upgrade",
                "template_id": cls.template.id,
                "user_id": cls.owner.id,
                "date_start": date(2026, 3, 2),
                "budget": 5000,
                "team_ids": [
                    (
                        0,
                        0,
                        {
                            "user_id": cls.caller_a.id,
                            "role": "caller",
                            "makes_calls": True,
                            "capacity": 30,
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "user_id": cls.caller_b.id,
                            "role": "caller",
                            "makes_calls": True,
                            "capacity": 10,
                        },
                    ),
                    (0, 0, {"user_id": cls.analyst.id, "role": "analyst"}),
                ],
            }
        )
