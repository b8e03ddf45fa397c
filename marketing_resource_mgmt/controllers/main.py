# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import re

from odoo import http
from odoo.http import request
from odoo.tools import consteq

# the tokens the generator makes: 24 random bytes as hex (192 bits)
TOKEN_RE = re.compile(r"^[0-9a-f]{32,128}$")
ANSWERS = ("interested", "callback", "not_interested", "unsubscribe")


class CampaignAnswerController(http.Controller):
    """The page where a campaign member answers, from the link with their token.
    Works for anonymous visitors and logged-in portal users alike. The page
    shows no personal data beyond a greeting (whoever holds the link sees
    it). Once the campaign has ended, the link says so and still lets the
    person unsubscribe."""

    def _get_member(self, token):
        """:return: the member of the token (sudo), or None. The candidate row is
        found by its indexed token, then compared in constant time."""
        if not token or not TOKEN_RE.match(token):
            return None
        # archived members too: their link still unsubscribes
        Member = (
            request.env["marketing.campaign.member"]
            .sudo()
            .with_context(active_test=False)
        )
        member = Member.search([("access_token", "=", token)], limit=1)
        if not member or not consteq(member.access_token or "", token):
            return None
        return member

    def _not_found(self):
        return request.render(
            "marketing_resource_mgmt.campaign_answer_invalid", {}, status=404
        )

    @http.route(
        "/campaign/answer/<string:token>",
        type="http",
        auth="public",
        methods=["GET"],
        sitemap=False,
        website=True,
    )
    def campaign_answer_page(self, token, **kwargs):
        member = self._get_member(token)
        if member is None:
            return self._not_found()
        return self._render_page(member, token)

    def _render_page(self, member, token, error=False, status=200):
        """The answer page, or the "campaign ended" page with its unsubscribe
        button once the member's link no longer takes other answers."""
        template = (
            "marketing_resource_mgmt.campaign_answer_page"
            if member._accepts_answers()
            else "marketing_resource_mgmt.campaign_answer_ended"
        )
        return request.render(
            template,
            {
                "member": member,
                "campaign": member.campaign_id,
                "token": token,
                "error": error,
            },
            status=status,
        )

    @http.route(
        "/campaign/answer/<string:token>",
        type="http",
        auth="public",
        methods=["POST"],
        sitemap=False,
        website=True,
    )
    def campaign_answer_submit(
        self, token, answer=None, callback_time=None, note=None, **kwargs
    ):
        member = self._get_member(token)
        if member is None:
            return self._not_found()
        if answer not in ANSWERS or (
            answer != "unsubscribe" and not member._accepts_answers()
        ):
            return self._render_page(member, token, error=True, status=400)
        note = (note or "").strip()[:2000] or False
        callback_time = (callback_time or "").strip()[:120] or False
        member._apply_portal_answer(answer, callback_time=callback_time, note=note)
        request.env["marketing.consent"].sudo()._record_portal_answer(member, answer)
        return request.render(
            "marketing_resource_mgmt.campaign_answer_done",
            {"member": member, "campaign": member.campaign_id, "answer": answer},
        )
