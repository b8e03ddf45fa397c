# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Shared fixtures of the offer, scenario and next-best-action tests: a
running campaign with a tagged audience and two offers."""

from .common import CampaignCase, tagged_segment


def offer_partner_vals(i, tag, prefix="Offer contact"):
    return {
        "name": f"{prefix} {i:02d}",
        "email": f"{prefix.replace(' ', '').lower()}{i:02d}@example.com",
        "phone": f"+44 113 496 1{i:03d}",
        "street": f"{i} Park Row",
        "city": "Leeds",
        "zip": "LS1 5AB",
        "category_id": [(4, tag.id)],
    }


class OfferCase(CampaignCase):
    AUDIENCE = 20

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tag = cls.env["res.partner.category"].create({"name": "MRM offer test"})
        cls.partners = cls.env["res.partner"].create(
            [offer_partner_vals(i, cls.tag) for i in range(cls.AUDIENCE)]
        )
        cls.segment = tagged_segment(cls.env, cls.tag)
        cls.campaign.write(
            {
                "segment_ids": [(6, 0, cls.segment.ids)],
                "use_email": True,
                "use_call": True,
                "use_mail": False,
            }
        )
        cls.campaign.with_user(cls.owner).action_start()
        Offer = cls.env["marketing.offer"]
        cls.offer_a = Offer.create(
            {
                "name": "Upgrade 10 % off",
                "campaign_id": cls.campaign.id,
                "value": 100,
                "cost_call": 1,
                "prior_probability": 0.05,
            }
        )
        cls.offer_b = Offer.create(
            {
                "name": "Service check",
                "campaign_id": cls.campaign.id,
                "value": 40,
                "prior_probability": 0.1,
            }
        )

    def _probabilities(self, offer):
        return self.env["marketing.offer.probability"].search(
            [("offer_id", "=", offer.id)]
        )
