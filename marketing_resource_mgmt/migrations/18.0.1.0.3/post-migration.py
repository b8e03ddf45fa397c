# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).


def migrate(cr, version):
    """Campaign members have no "Created by" / "Last updated by" any more
    (``_log_access = False`` on ``marketing.campaign.member``): Odoo keeps
    the columns of log-access fields it no longer knows, and with them their
    foreign keys to res_users, which PostgreSQL would still check on every
    member written; drop them."""
    cr.execute(
        "ALTER TABLE marketing_campaign_member "
        "DROP COLUMN IF EXISTS create_uid, DROP COLUMN IF EXISTS write_uid"
    )
