# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import date

from odoo.tests import TransactionCase, new_test_user


def tagged_audience(env, name, count):
    """``count`` contacts with an e-mail address under a new tag ``name``,
    and a segment of that tag: a small known audience.

    :return: (partners, segment)
    """
    tag = env["res.partner.category"].create({"name": name})
    slug = "".join(ch for ch in name.lower() if ch.isalnum())
    partners = env["res.partner"].create(
        [
            {
                "name": f"{name} {i}",
                "email": f"{slug}{i}@example.com",
                "category_id": [(4, tag.id)],
            }
            for i in range(count)
        ]
    )
    return partners, tagged_segment(env, tag)


def tagged_segment(env, tag):
    """A segment of the contacts tagged ``tag``."""
    return env["marketing.segment"].create(
        {
            "name": f"Tagged {tag.name}",
            "target_model": "res.partner",
            "domain": repr([("category_id", "in", [tag.id])]),
        }
    )


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


class SegmentCase(TransactionCase):
    """Shared fixtures of the segment tests: marketing users, a few contacts
    in a dedicated city so that counts are exact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(
            context=dict(
                cls.env.context,
                tracking_disable=False,
                mail_create_nolog=True,
                no_reset_password=True,
            )
        )
        cls.Segment = cls.env["marketing.segment"]
        cls.Partner = cls.env["res.partner"]
        cls.marketer = new_test_user(
            cls.env,
            login="mrm_marketer",
            groups="marketing_resource_mgmt.group_marketing_user",
        )
        cls.marketer2 = new_test_user(
            cls.env,
            login="mrm_marketer2",
            groups="marketing_resource_mgmt.group_marketing_user",
        )
        cls.mk_manager = new_test_user(
            cls.env,
            login="mrm_mk_manager",
            groups="marketing_resource_mgmt.group_marketing_manager",
        )
        cls.salesman = new_test_user(
            cls.env, login="mrm_salesman", groups="sales_team.group_sale_salesman"
        )
        cls.city = "Mrmtestville"
        cls.company_partner = cls.Partner.create(
            {
                "name": "Acme Widgets Ltd",
                "is_company": True,
                "city": cls.city,
                "street": "1 Acme Road",
                "zip": "LS1 1AA",
                "email": "info@acme-widgets.example",
            }
        )
        base = {"city": cls.city, "street": "2 High St", "zip": "LS2 2BB"}
        cls.p_ok = cls.Partner.create(
            dict(
                base, name="Olive Ok", email="olive@example.com", phone="0113 245 0001"
            )
        )
        cls.p_blacklisted = cls.Partner.create(
            dict(
                base,
                name="Bill Blacklisted",
                email="bill@example.com",
                phone="0113 245 0002",
            )
        )
        cls.p_dnc_company = cls.Partner.create(
            dict(
                base,
                name="Carla Company",
                email="carla@example.com",
                phone="0113 245 0003",
                parent_id=cls.company_partner.id,
            )
        )
        cls.p_no_address = cls.Partner.create(
            {
                "name": "Nora Noaddress",
                "city": cls.city,
                "email": "nora@example.com",
                "phone": "+44 113 245 0004",
            }
        )
        cls.p_no_phone = cls.Partner.create(
            dict(base, name="Pete Nophone", email="pete@example.com")
        )
        cls.p_opt_out = cls.Partner.create(
            dict(
                base,
                name="Oscar Optout",
                email="oscar@example.com",
                phone="0113 245 0006",
                mrm_opt_out=True,
            )
        )
        cls.p_phone_blacklisted = cls.Partner.create(
            dict(
                base,
                name="Phil Phoneblock",
                email="phil@example.com",
                phone="0044 (113) 245-0007",
            )
        )
        cls.env["mail.blacklist"].create({"email": "bill@example.com"})
        cls.env["phone.blacklist"].create({"number": "+441132450007"})
        cls.company_partner.mrm_do_not_contact = True
        cls.city_partners = cls.Partner.search([("city", "=", cls.city)])
