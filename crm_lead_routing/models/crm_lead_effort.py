# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
# crm.lead's routing concerns are split by file on purpose (crm_lead.py keeps
# the fields and ORM hooks under 600 lines)
# pylint: disable=consider-merging-classes-inherited
"""The product's one "logged work" policy: a lead with logged work is
archived, never deleted with its history, and the user is told so."""

import logging

from odoo import models
from odoo.tools import SQL

from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG

from ..internal import NO_SCOPE

_logger = logging.getLogger(__name__)


class CrmLead(models.Model):
    _inherit = "crm.lead"

    def _get_leads_with_effort(self):
        """Leads with logged work: a note or message written on them, or a
        done activity. Planned activities and meetings are not work done yet:
        such a lead is deleted as in Odoo (its meetings are detached). Other
        addons add their own kinds of work (the marketing addon: an answer
        to a campaign) by extending this method: it is the one helper.

        :return: set of ids
        """
        if not self.ids:
            return set()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT res_id FROM mail_message WHERE model = 'crm.lead' "
                "AND res_id = ANY(%(ids)s) AND (message_type = 'comment' "
                "OR mail_activity_type_id IS NOT NULL)",
                ids=self.ids,
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def unlink(self):
        """Delete the leads without logged work; archive the others, with a
        note on each and a notification to the user saying so."""
        if self.env.context.get(MODULE_UNINSTALL_FLAG):
            return super().unlink()
        keep = self._get_leads_with_effort() | set(
            self.env.context.get("routing_keep_lead_ids", ())
        )
        kept = self.filtered(lambda lead: lead.id in keep)
        if kept:
            kept._archive_logged_work()
        rest = self - kept
        return super(CrmLead, rest).unlink() if rest else True

    def _archive_logged_work(self):
        self.with_context(routing_no_scope=NO_SCOPE).write({"active": False})
        body = self.env._(
            "Archived instead of deleted: the lead has logged work (notes, "
            "messages, done activities or campaign answers), kept with its "
            "history."
        )
        self.sudo()._message_log_batch(bodies=dict.fromkeys(self.ids, body))
        self.env.user._bus_send(
            "simple_notification",
            {
                "type": "warning",
                "title": self.env._("Archived, not deleted"),
                "message": self.env._(
                    "%(count)s leads have logged work: they were archived, not "
                    "deleted (%(names)s).",
                    count=len(self),
                    names=", ".join(self[:5].mapped("name")),
                ),
            },
        )
        _logger.info("archived instead of deleted (logged work): %s", self.ids)

    def _merge_opportunity(
        self, user_id=False, team_id=False, auto_unlink=True, max_length=5
    ):
        # the merge moves messages and activities to the head first: note
        # now which leads had work so that the tail ones are archived
        keep = self._get_leads_with_effort()
        return super(
            CrmLead, self.with_context(routing_keep_lead_ids=list(keep))
        )._merge_opportunity(
            user_id=user_id,
            team_id=team_id,
            auto_unlink=auto_unlink,
            max_length=max_length,
        )
