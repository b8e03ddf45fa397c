# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
import os

from markupsafe import escape
from werkzeug.exceptions import Forbidden

from odoo import _, http
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import file_open

from odoo.addons.portal.controllers.portal import CustomerPortal

XSD_PATH = os.path.join("campaign_reporting", "schemas", "campaign_status_v1.xsd")


def _xml_error(status, code, message):
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<error code="{code}">{escape(message)}</error>\n'
    )
    return request.make_response(
        body,
        headers=[("Content-Type", "application/xml; charset=utf-8")],
        status=status,
    )


class CampaignVendorFeed(http.Controller):
    @http.route(
        "/campaign_reporting/vendor/schema/v1.xsd",
        type="http",
        auth="public",
        methods=["GET"],
    )
    def vendor_feed_schema(self):
        with file_open(XSD_PATH, "rb") as xsd:
            data = xsd.read()
        return request.make_response(
            data, headers=[("Content-Type", "application/xml; charset=utf-8")]
        )

    @http.route(
        "/campaign_reporting/vendor/feed/<string:code>.xml",
        type="http",
        auth="public",
        methods=["GET"],
        csrf=False,
        save_session=False,
    )
    def vendor_feed(self, code, token=None, **kwargs):
        """Status of one co-funded campaign as XML, for a vendor's token, or
        for the vendor's portal user who opens the link while logged in."""
        token = request.httprequest.headers.get("X-Vendor-Token") or token
        env = request.env(su=True)
        user = request.env.user
        if not token and request.session.uid and not user._is_public():
            # the portal page's link: the logged-in user's own company
            vendor = user.partner_id.commercial_partner_id
            companies = [False, *user.company_ids.ids]
        else:
            try:
                record = request.env["campaign.vendor.token"]._authenticate(token)
            except UserError as error:
                return _xml_error(403, "invalid_token", str(error))
            vendor = record.partner_id
            companies = [record.company_id.id, False]
        campaign = (
            env["utm.campaign"]
            .with_context(active_test=False)
            .search([("code", "=", code), ("company_id", "in", companies)], limit=1)
        )
        status = campaign and env["campaign.vendor.status"]._get_status(
            vendor, campaign
        )
        if not status:
            # same answer for "no such campaign" and "not yours": nothing leaks
            return _xml_error(
                404, "not_found", _("No campaign %(code)s for this vendor.", code=code)
            )
        data = env["campaign.vendor.status"]._render_xml(status[0])
        return request.make_response(
            data, headers=[("Content-Type", "application/xml; charset=utf-8")]
        )


class CampaignVendorPortal(CustomerPortal):
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "cofunded_campaign_count" in counters:
            partner = request.env.user.partner_id
            lines = request.env["campaign.vendor.status"]._get_cofunding_lines(partner)
            values["cofunded_campaign_count"] = len(lines.campaign_id)
        return values

    @http.route(["/my/cofunded_campaigns"], type="http", auth="user", website=True)
    def portal_cofunded_campaigns(self, new_token=None, **kwargs):
        user = request.env.user
        status = request.env["campaign.vendor.status"]._get_status(user.partner_id)
        has_token = bool(
            request.env["campaign.vendor.token"]
            .sudo()
            .search_count([("user_id", "=", user.id), ("active", "=", True)])
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "cofunded_campaigns",
                "campaign_status": status,
                "has_token": has_token,
                "new_token": new_token,
            }
        )
        return request.render("campaign_reporting.portal_cofunded_campaigns", values)

    @http.route(
        ["/my/cofunded_campaigns/token"],
        type="http",
        auth="user",
        website=True,
        methods=["POST"],
    )
    def portal_cofunded_campaigns_token(self, **kwargs):
        """Make (or replace) the logged-in vendor user's own feed token and
        show it once on the page."""
        try:
            token = request.env["campaign.vendor.token"]._generate_portal_token(
                request.env.user
            )
        except UserError as error:
            raise Forbidden(str(error)) from error
        return self.portal_cofunded_campaigns(new_token=token)
