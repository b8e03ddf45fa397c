# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Checks every addon of the suite runs on its install (imported by the others)."""

from odoo.exceptions import AccessError


def addon_models(env, addon):
    """The concrete models an addon creates (not the ones it only extends).

    :param env: an environment (read as superuser)
    :param addon: the technical name of the addon
    :return: list of model names
    """
    model_ids = (
        env["ir.model.data"]
        .sudo()
        .search([("module", "=", addon), ("model", "=", "ir.model")])
        .mapped("res_id")
    )
    return [
        m.model
        for m in env["ir.model"].sudo().browse(model_ids)
        if not env[m.model]._abstract
        # models the addon only extends (crm.lead, utm.campaign...) carry an
        # xmlid of the addon too; they belong to their original module
        and env[m.model]._original_module == addon
    ]


def assert_models_refuse(case, addon, user):
    """Assert that ``user`` can read none of the models ``addon`` creates.

    :param case: the running test case
    :param addon: the technical name of the addon
    :param user: a res.users record without the addon's groups
    """
    models = addon_models(case.env, addon)
    case.assertTrue(models, f"{addon} creates no model")
    for model in models:
        with case.subTest(model=model), case.assertRaises(AccessError):
            case.env[model].with_user(user).check_access("read")
