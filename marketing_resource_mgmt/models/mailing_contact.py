# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import fields, models


class MailingContact(models.Model):
    _inherit = "mailing.contact"

    # a campaign's e-mail list reuses the mailing contact of each address
    # (utm.campaign._generate_email_list): one index lookup per address
    email_normalized = fields.Char(index=True)
