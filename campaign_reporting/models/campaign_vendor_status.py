# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from lxml import etree

from odoo import api, fields, models
from odoo.tools import float_round

from odoo.addons.marketing_resource_mgmt.kpi_rules import COFUNDING_COMMITTED

FEED_VERSION = "1.0"
# KPIs a vendor sees per share level of its co-funding line: (KPI, target)
VENDOR_KPIS = {
    "status": [],
    "funnel": [
        ("members_targeted", "target_members"),
        ("members_responded", "target_responses"),
        ("leads", "target_leads"),
        ("opportunities", "target_opportunities"),
        ("won", "target_won"),
        ("orders", "target_orders"),
    ],
}
VENDOR_KPIS["revenue"] = VENDOR_KPIS["funnel"] + [("revenue", "target_revenue")]
LEVEL_ORDER = ["status", "funnel", "revenue"]
# what a vendor committed and did not cancel (kpi_rules)
VISIBLE_COFUNDING_STATES = COFUNDING_COMMITTED


class CampaignVendorStatus(models.AbstractModel):
    """What a vendor partner may see of the campaigns it co-funds.

    One builder for the XML feed and the portal page, so both show the same
    figures. Everything is filtered by the vendor's commercial partner: a
    vendor never sees another vendor's campaign or funding lines.
    """

    _name = "campaign.vendor.status"
    _description = "Vendor view of co-funded campaigns"

    @api.model
    def _get_cofunding_lines(self, vendor):
        """The vendor's visible co-funding lines (sudo: callers are portal users)."""
        commercial = vendor.commercial_partner_id
        return (
            self.env["marketing.campaign.cofunding"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", commercial.id),
                    ("state", "in", VISIBLE_COFUNDING_STATES),
                ]
            )
        )

    @api.model
    def _get_status(self, vendor, campaign=None):
        """Status dicts of the campaigns ``vendor`` co-funds.

        :param vendor: res.partner (any contact of the vendor company)
        :param campaign: optional utm.campaign to restrict to
        :return: list of dicts (code, name, phase, state, dates, kpis, funding)
        """
        lines = self._get_cofunding_lines(vendor)
        if campaign is not None:
            lines = lines.filtered(lambda line: line.campaign_id == campaign)
        campaigns = lines.campaign_id
        kpis = {
            row["campaign_id"]: row
            for row in self.env["campaign.kpi"]
            .sudo()
            .search_read([("campaign_id", "in", campaigns.ids)], load=None)
        }
        # labels as the user reads them (the XML feed keeps the codes)
        kpi_fields = self.env["campaign.kpi"]._fields
        campaign_states = dict(
            self.env["utm.campaign"]._fields["state"]._description_selection(self.env)
        )
        funding_states = dict(
            self.env["marketing.campaign.cofunding"]
            ._fields["state"]
            ._description_selection(self.env)
        )
        result = []
        for camp in campaigns.sorted("id"):
            own_lines = lines.filtered(lambda line, c=camp: line.campaign_id == c)
            level = max(own_lines.mapped("vendor_share_level"), key=LEVEL_ORDER.index)
            row = kpis.get(camp.id, {})
            kpi_list = []
            for name, target_name in VENDOR_KPIS[level]:
                actual = row.get(name)
                entry = {
                    "name": name,
                    "label": kpi_fields[name].get_description(self.env)["string"],
                    "monetary": kpi_fields[name].type == "monetary",
                    "available": True,
                }
                if actual is None or (
                    name == "revenue" and row.get("data_issue") == "currency"
                ):
                    entry.update(available=False, reason="currencies differ")
                else:
                    target = row.get(target_name) or 0
                    entry.update(
                        actual=actual,
                        target=target,
                        percent=float_round(actual * 100.0 / target, 2)
                        if target
                        else None,
                    )
                kpi_list.append(entry)
            result.append(
                {
                    "campaign": camp,
                    "code": camp.code or str(camp.id),
                    "name": camp.name,
                    "phase": camp.phase_id.name or "",
                    "state": camp.state,
                    "state_label": campaign_states.get(camp.state, camp.state),
                    "currency_id": camp.currency_id,
                    "date_start": camp.date_start,
                    "date_end": camp.date_end,
                    "currency": camp.currency_id.name or "",
                    "kpis": kpi_list,
                    "funding": [
                        {
                            "amount": line.amount,
                            "currency": line.currency_id.name or "",
                            "currency_id": line.currency_id,
                            "state": line.state,
                            "state_label": funding_states.get(line.state, line.state),
                            "invoice": line.claim_move_id.name or "",
                        }
                        for line in own_lines
                    ],
                }
            )
        return result

    @api.model
    def _render_xml(self, status):
        """The campaignStatus XML document (schemas/campaign_status_v1.xsd)."""
        root = etree.Element(
            "campaignStatus",
            version=FEED_VERSION,
            generated=fields.Datetime.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        camp = etree.SubElement(root, "campaign", code=status["code"])
        etree.SubElement(camp, "name").text = status["name"]
        if status["phase"]:
            etree.SubElement(camp, "phase").text = status["phase"]
        etree.SubElement(camp, "state").text = status["state"]
        if status["date_start"]:
            etree.SubElement(camp, "dateStart").text = status["date_start"].isoformat()
        if status["date_end"]:
            etree.SubElement(camp, "dateEnd").text = status["date_end"].isoformat()
        kpis = etree.SubElement(camp, "kpis")
        for kpi in status["kpis"]:
            attrs = {
                "name": kpi["name"],
                "available": "true" if kpi["available"] else "false",
            }
            if kpi["available"]:
                attrs["actual"] = _num(kpi["actual"])
                attrs["target"] = _num(kpi["target"])
                if kpi["percent"] is not None:
                    attrs["percent"] = _num(kpi["percent"])
            else:
                attrs["reason"] = kpi["reason"]
            etree.SubElement(kpis, "kpi", **attrs)
        funding = etree.SubElement(camp, "funding")
        for line in status["funding"]:
            attrs = {
                "amount": _num(line["amount"]),
                "currency": line["currency"],
                "state": line["state"],
            }
            if line["invoice"]:
                attrs["invoice"] = line["invoice"]
            etree.SubElement(funding, "line", **attrs)
        return etree.tostring(
            root, xml_declaration=True, encoding="UTF-8", pretty_print=True
        )


def _num(value):
    """A decimal for the XML (dot separator, no exponent)."""
    if isinstance(value, int):
        return str(value)
    return f"{float(value):.2f}"
