# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The campaign's e-mail mailing is sent to its members themselves: the
    draft mailings of the campaigns' mailing lists are turned into mailings
    on the members; the index generation kept on mailing contacts' e-mail
    addresses (to reuse one contact per address) is no longer needed."""
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["utm.campaign"]._migrate_email_mailings()
    cr.execute("DROP INDEX IF EXISTS mailing_contact__email_normalized_index")
