# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Pure computation of the Segmentation Analyser (no ORM): RFM features and
response scoring, k-means clustering, contact-list import matching; and
partner_bulk, the contact import's one hot path below the ORM (SQL, with
an equivalence test against res.partner.create())."""
