# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Odoo's SMS composer, sending a mailing on the campaign members, takes
every recipient of the sending at once and checks each against its
blacklist, opt-out and "already done" lists with ``in`` on Python lists:
quadratic in the number of members (the done list grows with each member
checked), hours for a campaign of 500,000. For a mailing on the members the
three collections are sets, with the same members in them (and the numbers
the sending's earlier batches reached counted as done); Odoo's
``_prepare_mass_sms_values`` reads them with ``in`` only."""

from odoo import models


class SmsComposer(models.TransientModel):
    _inherit = "sms.composer"

    def _mrm_on_members(self):
        return (
            self.composition_mode == "mass"
            and self.res_model == "marketing.campaign.member"
        )

    def _get_blacklist_record_ids(self, records, recipients_info):
        """sms's rule (the members whose sanitised number is blacklisted,
        when the composer uses the blacklist), on a set of numbers."""
        if not self._mrm_on_members():
            return super()._get_blacklist_record_ids(records, recipients_info)
        if not self.mass_use_blacklist:
            return set()
        numbers = set(self.env["phone.blacklist"].sudo().search([]).mapped("number"))
        return {r.id for r in records if recipients_info[r.id]["sanitized"] in numbers}

    def _get_optout_record_ids(self, records, recipients_info):
        """mass_mailing_sms's list (the members' opt-outs), as a set."""
        ids = super()._get_optout_record_ids(records, recipients_info)
        return set(ids) if self._mrm_on_members() else ids

    def _get_done_record_ids(self, records, recipients_info):
        """sms's rule (a member whose sanitised number an earlier member of
        the sending has) and mass_mailing_sms's (the members this mailing
        already reached), on sets; the numbers an earlier batch of the
        sending reached count as earlier members (the mailing sends its
        members in batches, see mailing_mailing.py)."""
        if not self._mrm_on_members():
            return super()._get_done_record_ids(records, recipients_info)
        done_ids, numbers = set(), set()
        if self.mailing_id:
            self.env["mailing.trace"].flush_model()
            self.env.cr.execute(
                "SELECT DISTINCT sms_number FROM mailing_trace "
                "WHERE mass_mailing_id = %s AND trace_type = 'sms' "
                "AND sms_number IS NOT NULL",
                [self.mailing_id.id],
            )
            numbers.update(number for (number,) in self.env.cr.fetchall())
        for record in records:
            sanitized = recipients_info[record.id]["sanitized"]
            if sanitized in numbers:
                done_ids.add(record.id)
            else:
                numbers.add(sanitized)
        if self.mailing_id:
            seen_ids, _seen_list = self.mailing_id._get_seen_list_sms()
            done_ids.update(seen_ids)
        return done_ids
