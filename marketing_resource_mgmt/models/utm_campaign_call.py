# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""A campaign's call-queue settings: queue order, calling hours, retry delays
and maximum attempts (defaults and checks from tools/call_policy.py), the
channel mode of generation and the direct-mail batches."""

import pytz

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

from ..tools import call_policy


# kept apart from the model's main file to keep parallel work mergeable
class UtmCampaign(models.Model):
    _inherit = "utm.campaign"  # pylint: disable=consider-merging-classes-inherited

    call_queue_mode = fields.Selection(
        [
            ("fcfs", "First come, first served"),
            ("own_first", "Own assigned calls first"),
        ],
        default="fcfs",
        required=True,
        help="First come, first served: every caller takes the next due call "
        "of the whole call list. Own assigned calls first: a caller gets the "
        "calls assigned to them at generation, then the rest of the list.",
    )
    call_hour_from = fields.Float(
        "Calling from", default=9.0, help="Local time, campaign owner's time zone."
    )
    call_hour_to = fields.Float("Calling until", default=20.0)
    call_max_attempts = fields.Integer(
        "Maximum call attempts", default=call_policy.DEFAULT_MAX_ATTEMPTS
    )
    call_retry_no_answer = fields.Integer(
        "Retry after no answer (minutes)",
        default=call_policy.DEFAULT_RETRY_MINUTES["no_answer"],
    )
    call_retry_busy = fields.Integer(
        "Retry after busy (minutes)",
        default=call_policy.DEFAULT_RETRY_MINUTES["busy"],
    )
    call_retry_voicemail = fields.Integer(
        "Retry after voicemail (minutes)",
        default=call_policy.DEFAULT_RETRY_MINUTES["voicemail"],
    )
    channel_mode = fields.Selection(
        [
            ("every", "Every channel"),
            ("one", "One channel per contact"),
        ],
        default="every",
        required=True,
        help="Every channel: a contact becomes a member on each channel of the "
        "campaign it can be reached on. One channel per contact: the contact's "
        "preferred channel when the campaign uses it and the contact can be "
        "reached on it, else the cheapest channel it can be reached on.",
    )
    mail_batch_ids = fields.One2many(
        "marketing.mail.batch", "campaign_id", "Direct-mail batches"
    )

    @api.constrains(
        "call_max_attempts",
        "call_retry_no_answer",
        "call_retry_busy",
        "call_retry_voicemail",
        "call_hour_from",
        "call_hour_to",
    )
    def _check_call_policy(self):
        for campaign in self:
            try:
                call_policy.check_policy(
                    campaign._get_call_retry_minutes(), campaign.call_max_attempts
                )
                call_policy.check_hours(campaign.call_hour_from, campaign.call_hour_to)
            except call_policy.PolicyError as error:
                raise ValidationError(
                    _(
                        "Campaign %(name)s: %(error)s",
                        name=campaign.title or "",
                        error=str(error),
                    )
                ) from error

    def _get_call_retry_minutes(self):
        """:return: {retrying outcome: minutes} of the campaign"""
        self.ensure_one()
        return {
            "no_answer": self.call_retry_no_answer,
            "busy": self.call_retry_busy,
            "voicemail": self.call_retry_voicemail,
        }

    def _get_call_tz(self):
        """The time zone of the calling hours: the campaign owner's, else the
        current user's, else UTC."""
        self.ensure_one()
        name = self.user_id.tz or self.env.user.tz or "UTC"
        try:
            return pytz.timezone(name)
        except pytz.UnknownTimeZoneError:
            return pytz.utc

    def _to_call_local(self, utc_naive):
        return (
            pytz.utc.localize(utc_naive)
            .astimezone(self._get_call_tz())
            .replace(tzinfo=None)
        )

    def _to_utc(self, local_naive):
        return (
            self._get_call_tz()
            .localize(local_naive)
            .astimezone(pytz.utc)
            .replace(tzinfo=None)
        )

    def _is_calling_time(self, utc_naive):
        self.ensure_one()
        return call_policy.within_hours(
            self._to_call_local(utc_naive), self.call_hour_from, self.call_hour_to
        )

    def _shift_into_calling_hours(self, utc_naive):
        """:return: the first UTC time at or after ``utc_naive`` inside the
        campaign's calling hours"""
        self.ensure_one()
        local = call_policy.into_hours(
            self._to_call_local(utc_naive), self.call_hour_from, self.call_hour_to
        )
        return self._to_utc(local)

    def action_view_mail_batches(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Direct-mail batches"),
            "res_model": "marketing.mail.batch",
            "view_mode": "list,form",
            "domain": [("campaign_id", "=", self.id)],
            "context": {"default_campaign_id": self.id},
        }
