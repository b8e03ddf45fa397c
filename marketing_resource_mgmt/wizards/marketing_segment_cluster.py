# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from odoo.addons.crm_lead_routing.progress import Progress

from ..tools import clustering, scoring


class MarketingSegmentCluster(models.TransientModel):
    """Split a segment into K homogeneous groups on the behavioural measures
    (k-means), each saved as a child segment with its profile."""

    _name = "marketing.segment.cluster"
    _description = "Segment Cluster Split"

    segment_id = fields.Many2one("marketing.segment", required=True, ondelete="cascade")
    cluster_count = fields.Integer(
        string="Number of clusters", default=3, required=True
    )

    @api.constrains("cluster_count")
    def _check_cluster_count(self):
        for wizard in self:
            if not clustering.MIN_K <= wizard.cluster_count <= clustering.MAX_K:
                raise ValidationError(
                    self.env._(
                        "The number of clusters must be between %(min)s and %(max)s.",
                        min=clustering.MIN_K,
                        max=clustering.MAX_K,
                    )
                )

    # ---- SQL membership -----------------------------------------------------
    @api.model
    def _get_feature_sql(self, alias, company_id):
        """Sub-select of the three raw features of the contact ``alias``, as in
        scoring.feature_vector (no behaviour row = never bought)."""
        never = scoring.NEVER_RECENCY_DAYS
        return SQL(
            "SELECT LEAST(COALESCE(CURRENT_DATE - mrm_cb.last_date, %(never)s), "
            "%(never)s)::float AS f0, "
            "COALESCE(mrm_cb.frequency, 0)::float AS f1, "
            "ln(1 + GREATEST(COALESCE(mrm_cb.monetary, 0), 0))::float AS f2 "
            "FROM (SELECT 1) mrm_one LEFT JOIN marketing_partner_behaviour mrm_cb "
            "ON mrm_cb.partner_id = %(partner)s AND mrm_cb.company_id = %(company)s",
            never=never,
            partner=SQL.identifier(alias, "commercial_partner_id"),
            company=company_id,
        )

    @api.model
    def _get_membership_sql(self, model, index, alias, company_id):
        """Condition: the contact's standardised features are nearest to centre
        ``index`` of ``model`` (ties go to the lowest index).

        :return: odoo.tools.SQL boolean expression
        """
        centers = model["centers"]
        if not 0 <= index < len(centers):
            raise UserError(self.env._("This cluster segment has no valid cluster."))
        z = [
            SQL(
                "((mrm_f.f%s - %s) / %s)",
                SQL(str(i)),
                float(model["mean"][i]),
                float(model["scale"][i]),
            )
            for i in range(len(model["mean"]))
        ]

        def distance(center):
            return SQL(
                "(%s)",
                SQL(" + ").join(
                    SQL("power(%s - %s, 2)", zi, float(c))
                    for zi, c in zip(z, center, strict=True)
                ),
            )

        mine = distance(centers[index])
        comparisons = [
            SQL(
                "%s %s %s", mine, SQL("<") if j < index else SQL("<="), distance(center)
            )
            for j, center in enumerate(centers)
            if j != index
        ]
        return SQL(
            "(SELECT %s FROM (%s) mrm_f)",
            SQL(" AND ").join(comparisons) if comparisons else SQL("TRUE"),
            self._get_feature_sql(alias, company_id),
        )

    # ---- ACTIONS ------------------------------------------------------------
    def _fetch_member_features(self):
        segment = self.segment_id
        ids = segment._get_partner_ids()
        company = segment.company_id or self.env.company
        self.env.cr.execute(
            SQL(
                "SELECT p.id, f.f0, f.f1, f.f2 FROM res_partner p, LATERAL (%s) f "
                "WHERE p.id = ANY(%s) ORDER BY p.id",
                self._get_feature_sql("p", company.id),
                ids,
            )
        )
        return self.env.cr.fetchall()

    def _describe(self, model, index):
        """The cluster's profile in words, against the whole segment
        (clustering.describe decides; this only translates)."""
        words = {
            "recent": self.env._("recent"),
            "lapsed": self.env._("lapsed"),
            "frequent": self.env._("frequent"),
            "occasional": self.env._("occasional"),
            "high_value": self.env._("high value"),
            "low_value": self.env._("low value"),
            clustering.TYPICAL: self.env._("like the whole segment"),
            clustering.NO_ORDERS: self.env._("never ordered"),
        }
        return ", ".join(words[key] for key in clustering.describe(model, index))

    def action_split(self):
        """Run k-means on the members and create one child segment per
        cluster; earlier cluster children are archived.

        :return: action opening the children
        """
        self.ensure_one()
        self._check_cluster_count()
        title = self.env._("Splitting %(segment)s", segment=self.segment_id.name)
        with Progress(self.env, title, 3) as bar:
            return self._split(bar)

    def _split(self, bar):
        """The split, telling ``bar`` (a Progress) its steps."""
        segment = self.segment_id
        bar.step(self.env._("Reading the contacts' behaviour"))
        rows = self._fetch_member_features()
        features = [list(row[1:]) for row in rows]
        if len(features) < clustering.MIN_K:
            raise UserError(
                self.env._(
                    "The segment has %(count)s contacts: too few to split.",
                    count=len(features),
                )
            )
        bar.step(self.env._("Finding the clusters"))
        try:
            labels, model = clustering.kmeans_split(features, self.cluster_count)
        except clustering.NotSplittable as error:
            raise UserError(
                self.env._(
                    "The %(count)s contacts of %(segment)s cannot be split: they "
                    "all have the same buying behaviour (for example, none has "
                    "ordered yet).",
                    count=len(features),
                    segment=segment.name,
                )
            ) from error
        k_used = len(model["centers"])
        profiles = clustering.profiles(features, labels, k_used)
        bar.step(self.env._("Creating the cluster segments"))
        segment.child_ids.filtered("cluster_model").write({"active": False})
        vals_list = []
        for index, profile in enumerate(profiles):
            description = self._describe(model, index)
            vals_list.append(
                {
                    "name": self.env._(
                        "%(segment)s / cluster %(index)s (%(profile)s)",
                        segment=segment.name,
                        index=index + 1,
                        profile=description,
                    ),
                    "cluster_profile": description,
                    "parent_id": segment.id,
                    "domain": "[]",
                    "user_id": self.env.user.id,
                    "company_id": segment.company_id.id,
                    "visibility": segment.visibility,
                    "tag_ids": [(6, 0, segment.tag_ids.ids)],
                    "cluster_index": index,
                    "cluster_model": model,
                    "cluster_size": profile["size"],
                    "cluster_recency": profile["recency"],
                    "cluster_frequency": profile["frequency"],
                    "cluster_monetary": profile["monetary"],
                }
            )
        children = self.env["marketing.segment"].create(vals_list)
        list_view = self.env.ref(
            "marketing_resource_mgmt.marketing_segment_view_list_cluster"
        )
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Clusters of %(name)s", name=segment.name),
            "res_model": "marketing.segment",
            "view_mode": "list,form",
            "views": [(list_view.id, "list"), (False, "form")],
            "domain": [("id", "in", children.ids)],
        }
        notes = self._split_notes(model, len(features))
        if not notes:
            return action
        segment.message_post(body=" ".join(notes))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Cluster split"),
                "message": " ".join(notes),
                "type": "warning",
                "sticky": True,
                "next": action,
            },
        }

    def _split_notes(self, model, count):
        """What the split changed from the request: fewer clusters, measures
        left out. :return: list of sentences (empty when nothing changed)"""
        names = {
            "recency": self.env._("recency"),
            "frequency": self.env._("frequency"),
            "monetary": self.env._("value"),
        }
        notes = []
        k_used = len(model["centers"])
        if k_used < model["k_requested"]:
            notes.append(
                self.env._(
                    "%(asked)s clusters were asked, but the %(count)s contacts have "
                    "only %(used)s distinct behaviours: split into %(used)s.",
                    asked=model["k_requested"],
                    count=count,
                    used=k_used,
                )
            )
        if model["dropped"]:
            notes.append(
                self.env._(
                    "Left out because every contact has the same value: %(names)s.",
                    names=", ".join(
                        names[clustering.FEATURES[i]] for i in model["dropped"]
                    ),
                )
            )
        return notes
